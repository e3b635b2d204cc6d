import type { EventStore } from '../core/eventStore/eventStore.js';
import type { Projector } from './projector.js';
import type { ReadModel } from './readModel.js';

/**
 * For a process that does not project (the stateless API, or one whose projector stands by): waits
 * for a position by polling the read model's checkpoint, which the projector elsewhere moves.
 */
export function checkpointWaiter(
  store: Pick<EventStore, 'comparePositions'>,
  readModel: Pick<ReadModel, 'checkpoint'>,
  pollMs = 25,
): Projector {
  return {
    async waitFor(position, timeoutMs = 10_000) {
      if (position === undefined) return;
      const until = Date.now() + timeoutMs;
      for (;;) {
        const at = await readModel.checkpoint();
        if (at !== undefined && store.comparePositions(at, position) >= 0) return;
        if (Date.now() >= until) throw new Error('The read model did not catch up in time.');
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    async stop() {},
  };
}
