import { randomBytes } from 'node:crypto';

const POOL_BYTES = 64 * 1024;
let pool = randomBytes(POOL_BYTES);
let offset = 0;

/**
 * `n` bytes from the CSPRNG, taken from a pool filled 64 KB at a time: a 10,000-row import asks for
 * ~30,000 IVs and keys, and one `randomBytes` call each cost a third of a second. Every byte is
 * handed out once; a spent pool is replaced (never refilled in place), so bytes already handed out
 * never change under their holder.
 */
export function poolRandomBytes(n: number): Buffer {
  if (n > POOL_BYTES) return randomBytes(n);
  if (offset + n > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + n);
  offset += n;
  return bytes;
}
