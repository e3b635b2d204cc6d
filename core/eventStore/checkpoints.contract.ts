import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fencedCheckpoints, type CheckpointStore } from './checkpoints.js';
import { StaleLeaseError } from './fencing.js';

/** The subscriber checkpoint store's rules, run against every adapter (SQLite here, MongoDB in its project). */
export function testCheckpointStoreContract(name: string, factory: () => Promise<CheckpointStore>) {
  describe(`checkpoint store contract: ${name}`, () => {
    let checkpoints: CheckpointStore;
    beforeEach(async () => {
      checkpoints = await factory();
    });
    afterEach(async () => checkpoints.close());

    describe('given nothing stored', () => {
      it('loads nothing, then what was stored last', async () => {
        expect(await checkpoints.load('email-reactor')).toBeUndefined();
        await checkpoints.store('email-reactor', '7');
        await checkpoints.store('email-reactor', '9');
        expect(await checkpoints.load('email-reactor')).toBe('9');
        expect(await checkpoints.load('other')).toBeUndefined();
      });
    });

    describe('given checkpoints written under lease generations', () => {
      it('a store under an older generation than the checkpoint saw is refused and leaves it', async () => {
        await checkpoints.store('email-reactor', '5', 2);
        await expect(checkpoints.store('email-reactor', '3', 1)).rejects.toBeInstanceOf(StaleLeaseError);
        expect(await checkpoints.load('email-reactor')).toBe('5');
        await checkpoints.store('email-reactor', '6', 2);
        await checkpoints.store('email-reactor', '8', 3);
        await expect(checkpoints.store('email-reactor', '9', 2)).rejects.toBeInstanceOf(StaleLeaseError);
        expect(await checkpoints.load('email-reactor')).toBe('8');
      });

      it('a claim fences the checkpoint before anything is stored, and does not move it', async () => {
        await checkpoints.claim('email-reactor', 4);
        expect(await checkpoints.load('email-reactor')).toBeUndefined();
        await expect(checkpoints.store('email-reactor', '1', 3)).rejects.toBeInstanceOf(StaleLeaseError);
        await expect(checkpoints.claim('email-reactor', 3)).rejects.toBeInstanceOf(StaleLeaseError);
        await checkpoints.store('email-reactor', '2', 4);
        await checkpoints.claim('email-reactor', 5);
        expect(await checkpoints.load('email-reactor')).toBe('2');
        // each name has a fence of its own
        await checkpoints.store('other', '1', 1);
      });

      it('the fenced view carries its generation; an unfenced store neither checks nor lowers the fence', async () => {
        const stale = fencedCheckpoints(checkpoints, 1);
        const current = fencedCheckpoints(checkpoints, 2);
        await current.claim('email-reactor', 2);
        await expect(stale.store('email-reactor', '4')).rejects.toBeInstanceOf(StaleLeaseError);
        await current.store('email-reactor', '4');
        await checkpoints.store('email-reactor', '5');
        expect(await stale.load('email-reactor')).toBe('5');
        await expect(stale.store('email-reactor', '6')).rejects.toBeInstanceOf(StaleLeaseError);
      });
    });
  });
}
