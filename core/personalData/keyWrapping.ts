import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { poolRandomBytes } from './randomPool.js';
import { DataKeyError, type DataKeys, type DataKeyStorage } from './dataKeys.js';
import { createKeyCache, type KeyCacheOptions } from './keyCache.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** first byte of a wrapped key: the format, so a later one can sit beside it */
const FORMAT = 1;

/**
 * The key-encryption key: HKDF-SHA256 of the server secret, for this purpose only (the same secret
 * signs links under another name). A copy of the key table without the secret opens nothing.
 */
export function keyEncryptionKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'keyturn', 'keyturn data-key wrapping v1', KEY_BYTES));
}

// The account id is the associated data: a wrapped key copied onto another account's row does not open.
const aad = (accountId: string) => Buffer.from(`keyturn/data-key/v1\u0000${accountId}`, 'utf8');

export function wrapKey(kek: Buffer, accountId: string, key: Buffer): Buffer {
  const iv = poolRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(aad(accountId));
  const ct = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT), iv, cipher.getAuthTag(), ct]);
}

export function unwrapKey(kek: Buffer, accountId: string, wrapped: Buffer): Buffer {
  try {
    if (wrapped[0] !== FORMAT) throw new Error('unknown format');
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', kek, iv).setAAD(aad(accountId)).setAuthTag(tag);
    const key = Buffer.concat([decipher.update(wrapped.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    if (key.length !== KEY_BYTES) throw new Error('wrong length');
    return key;
  } catch {
    // Never the bytes or the secret: the account id says which row, the id says where.
    throw new DataKeyError(
      'DATAKEYS-7Q2x',
      `The data key of account ${accountId} does not open: the server secret (KEYTURN_SECRET / secret.key) is not the one the keys were made with, or the key store was altered.`,
    );
  }
}

export interface DataKeysOptions {
  clock?: () => Date;
  cache?: KeyCacheOptions;
}

/**
 * The data key store over one adapter's storage: keys are made, wrapped and unwrapped here only,
 * and kept in a small in-process cache (erased accounts too: they never get a key again). Accounts
 * without a row are not cached: that answer may change.
 */
export function createDataKeys(storage: DataKeyStorage, secret: Buffer, options: DataKeysOptions = {}): DataKeys {
  const kek = keyEncryptionKey(secret);
  const clock = options.clock ?? (() => new Date());
  const cache = createKeyCache(options.cache);

  /** the cached keys of `ids`, and the ids the cache does not know */
  function fromCache(ids: string[]) {
    const keys = new Map<string, Buffer | null>();
    const unknown: string[] = [];
    for (const id of ids) {
      const cached = cache.get(id);
      if (cached === undefined) unknown.push(id);
      else keys.set(id, cached);
    }
    return { keys, unknown };
  }

  /** cached and stored keys of `ids`, unwrapped; accounts without a row are left out */
  async function lookUp(ids: string[]): Promise<Map<string, Buffer | null>> {
    const { keys, unknown } = fromCache(ids);
    if (unknown.length === 0) return keys;
    for (const [id, wrapped] of await storage.find(unknown)) {
      const key = wrapped === null ? null : unwrapKey(kek, id, wrapped);
      cache.set(id, key);
      keys.set(id, key);
    }
    return keys;
  }

  return {
    find: (accountIds) => lookUp([...new Set(accountIds)]),
    async obtain(accountIds) {
      const { keys, unknown: missing } = fromCache([...new Set(accountIds)]);
      if (missing.length === 0) return keys;
      // Insert first, and read only the rows that were there already (another process's key, or an
      // erasure mark: those stand). A key missing from the cache is nearly always one for an account
      // being opened, whose row cannot exist yet — reading a stream before changing it caches the keys
      // of existing accounts — so this is one round trip, not a lookup, the insert and a read-back.
      const made = missing.map((accountId) => ({ accountId, key: Buffer.from(poolRandomBytes(KEY_BYTES)) }));
      const existed = new Set(
        await storage.insertIfAbsent(
          made.map(({ accountId, key }) => ({ accountId, wrapped: wrapKey(kek, accountId, key) })),
          clock(),
        ),
      );
      for (const { accountId, key } of made) {
        if (existed.has(accountId)) continue;
        cache.set(accountId, key);
        keys.set(accountId, key);
      }
      if (existed.size > 0) for (const [id, key] of await lookUp([...existed])) keys.set(id, key);
      const lost = missing.find((id) => !keys.has(id));
      if (lost !== undefined)
        throw new DataKeyError('DATAKEYS-3kPz', `No data key could be stored for account ${lost}.`);
      return keys;
    },
    async erase(accountId) {
      cache.forget(accountId);
      const erased = await storage.erase(accountId, clock());
      cache.set(accountId, null);
      return erased;
    },
    forget: (accountId) => cache.forget(accountId),
    close: () => storage.close(),
  };
}
