import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecret } from './secret.js';

describe('given no secret in the environment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyturn-secret-'));
  });

  it('generates DATA_DIR/secret.key on first start, owner-only, and reads the same key afterwards', () => {
    const first = loadOrCreateSecret(dir, undefined);
    expect(first.length).toBe(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSecret(dir, undefined).equals(first)).toBe(true);
  });

  it('keeps it at KEYTURN_SECRET_FILE instead, outside the data directory, creating its folder', () => {
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'keyturn-secrets-')), 'keys', 'keyturn.key');
    const secret = loadOrCreateSecret(dir, undefined, elsewhere);
    expect(statSync(elsewhere).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(elsewhere, 'utf8'), 'base64').equals(secret)).toBe(true);
    expect(() => statSync(join(dir, 'secret.key'))).toThrow();
  });

  it('reads a key file an operator moved there (secret.key is its format: base64)', () => {
    const file = join(dir, 'moved.key');
    const key = Buffer.alloc(32, 7);
    writeFileSync(file, `${key.toString('base64')}\n`);
    expect(loadOrCreateSecret(dir, undefined, file).equals(key)).toBe(true);
  });

  it('refuses an empty or short key file rather than sign links with a guessable key', () => {
    const file = join(dir, 'short.key');
    writeFileSync(file, '');
    expect(() => loadOrCreateSecret(dir, undefined, file)).toThrow(/must hold at least 32 bytes, base64-encoded/);
    writeFileSync(file, Buffer.alloc(16, 1).toString('base64'));
    expect(() => loadOrCreateSecret(dir, undefined, file)).toThrow(/at least 32 bytes/);
  });
});
