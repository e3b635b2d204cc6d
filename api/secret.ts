import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MIN_BYTES = 32;

/**
 * The server secret (link MACs). From KEYTURN_SECRET when set; otherwise read from a file —
 * KEYTURN_SECRET_FILE, or `secret.key` in the data directory — generated on first start, readable by
 * the owner only. Whoever holds it can sign links: keeping the file outside DATA_DIR keeps it out of
 * copies of the data. Changing it invalidates every emailed link.
 */
export function loadOrCreateSecret(dataDir: string, fromEnv: string | undefined, secretFile?: string): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const file = secretFile ?? join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    // An empty or truncated file would sign links with a guessable key: refuse to start instead.
    if (secret.length < MIN_BYTES) {
      throw new Error(`the secret key file ${file} must hold at least ${MIN_BYTES} bytes, base64-encoded`);
    }
    return secret;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(MIN_BYTES);
  writeFileSync(file, secret.toString('base64'), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}
