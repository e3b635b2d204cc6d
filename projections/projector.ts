import { EventEmitter } from 'node:events';
import type { EventStore, Position, Subscription } from '../core/eventStore/eventStore.js';
import type { Logger } from '../core/logger.js';
import type { ReadModel } from './readModel.js';

export interface Projector {
  /**
   * Resolves once the read model has applied everything up to `position` — how a mutation returns
   * the user as it is after its own write. Times out (rejects) rather than hanging a request.
   */
  waitFor(position: Position | undefined, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Subscribes from the read model's checkpoint and applies batches; at-least-once, replay-safe. */
export async function startProjector(store: EventStore, readModel: ReadModel, log: Logger): Promise<Projector> {
  const progress = new EventEmitter();
  progress.setMaxListeners(0);
  let applied = await readModel.checkpoint();
  const subscription: Subscription = store.subscribe({
    after: applied,
    onEvents: async (events) => {
      await readModel.apply(events);
      applied = events[events.length - 1]!.position;
      progress.emit('applied');
    },
    onError: (error) =>
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'projection batch failed; retrying'),
  });
  const reached = (position: Position) => applied !== undefined && store.comparePositions(applied, position) >= 0;
  return {
    waitFor(position, timeoutMs = 10_000) {
      if (position === undefined || reached(position)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onApplied = () => {
          if (!reached(position)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error('The read model did not catch up in time.'));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          progress.off('applied', onApplied);
        };
        progress.on('applied', onApplied);
      });
    },
    stop: () => subscription.close(),
  };
}
