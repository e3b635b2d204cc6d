import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The server secret (link MACs). From KEYTURN_SECRET when set; otherwise generated on first start and
 * kept in the data directory, readable by the owner only. Changing it invalidates every emailed link.
 */
export function loadOrCreateSecret(dataDir: string, fromEnv: string | undefined): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('base64'), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}
