import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataKeys } from './dataKeys.js';

export interface DataKeysContractOptions {
  /** a fresh, empty key store whose keys are wrapped with this secret */
  factory: (secret: Buffer) => Promise<DataKeys>;
  /** another handle on the storage the last `factory` made, as another process would open it */
  secondHandle: (secret: Buffer) => Promise<DataKeys>;
  /** the key column or field exactly as stored, every row */
  storedKeys: () => Promise<Buffer[]>;
}

/** One suite, run against every adapter of the data key store. */
export function testDataKeysContract(name: string, options: DataKeysContractOptions) {
  describe(`data keys contract: ${name}`, () => {
    const secret = randomBytes(32);
    const opened: DataKeys[] = [];
    let keys: DataKeys;
    const handle = async (make: (s: Buffer) => Promise<DataKeys>, s = secret) => {
      const made = await make(s);
      opened.push(made);
      return made;
    };
    beforeEach(async () => {
      keys = await handle(options.factory);
    });
    afterEach(async () => {
      for (const k of opened.splice(0)) await k.close();
    });

    describe('given an account without a key', () => {
      it('finds none, and makes a 256-bit key on first need that stays the same', async () => {
        const id = randomUUID();
        expect(await keys.find([id])).toEqual(new Map());
        const key = (await keys.obtain([id])).get(id);
        expect(key).toBeInstanceOf(Buffer);
        expect(key).toHaveLength(32);
        expect((await keys.obtain([id])).get(id)).toEqual(key);
        expect((await keys.find([id])).get(id)).toEqual(key);
      });

      it('makes and finds the keys of many accounts at once, each its own', async () => {
        const ids = Array.from({ length: 120 }, () => randomUUID());
        const made = await keys.obtain([...ids, ids[0]!]);
        expect(made.size).toBe(120);
        expect(new Set([...made.values()].map((k) => k!.toString('hex'))).size).toBe(120);
        const found = await keys.find([...ids, randomUUID()]);
        expect(found).toEqual(made);
      });
    });

    describe('given two processes that need the same keys at once', () => {
      it('both get the same keys', async () => {
        const other = await handle(options.secondHandle);
        const ids = Array.from({ length: 20 }, () => randomUUID());
        const [a, b] = await Promise.all([keys.obtain(ids), other.obtain([...ids].reverse())]);
        expect(b).toEqual(a);
        expect(await keys.find(ids)).toEqual(a);
      });

      it('one that never saw a key gets the stored one, and a new key only for the account without', async () => {
        const other = await handle(options.secondHandle);
        const [known, fresh] = [randomUUID(), randomUUID()];
        const stored = (await keys.obtain([known])).get(known)!;
        const got = await other.obtain([fresh, known]);
        expect(got.get(known)).toEqual(stored);
        expect(got.get(fresh)).toHaveLength(32);
        expect(got.get(fresh)).not.toEqual(stored);
        expect((await keys.find([fresh])).get(fresh)).toEqual(got.get(fresh));
      });
    });

    describe('given an erased account', () => {
      it('its key is gone for every handle, no new one is ever made, and erasing again deletes nothing', async () => {
        const id = randomUUID();
        const kept = randomUUID();
        await keys.obtain([id, kept]);
        expect(await keys.erase(id)).toBe(true);
        const other = await handle(options.secondHandle);
        for (const k of [keys, other]) {
          expect((await k.find([id])).get(id)).toBeNull();
          expect((await k.obtain([id])).get(id)).toBeNull();
          expect((await k.find([kept])).get(kept)).toBeInstanceOf(Buffer);
        }
        expect(await keys.erase(id)).toBe(false);
        expect((await keys.find([id])).get(id)).toBeNull();
      });

      it('an account erased before it had a key never gets one', async () => {
        const id = randomUUID();
        expect(await keys.erase(id)).toBe(false);
        expect((await keys.obtain([id])).get(id)).toBeNull();
      });
    });

    describe('given the stored keys', () => {
      it('holds no key in clear, and without the server secret none opens', async () => {
        const ids = [randomUUID(), randomUUID()];
        const made = await keys.obtain(ids);
        const stored = await options.storedKeys();
        for (const key of made.values()) {
          expect(stored.some((s) => s.includes(key!))).toBe(false);
        }
        const wrongSecret = await handle(options.secondHandle, randomBytes(32));
        await expect(wrongSecret.find(ids)).rejects.toMatchObject({ name: 'DataKeyError', id: 'DATAKEYS-7Q2x' });
        // and the message names no key material
        const error = await wrongSecret.find(ids).catch((e: Error) => e);
        for (const key of made.values())
          expect(String((error as Error).message)).not.toContain(key!.toString('base64'));
      });
    });
  });
}
