import { EventEmitter } from 'node:events';
import type { EventStore, Position, RecordedEvent, Subscription } from '../core/eventStore/eventStore.js';
import type { Logger } from '../core/logger.js';
import type { ProjectionStore, ReadModel } from './readModel.js';
import { endSessionsAfterCredentialChanges } from './sessions/sessionReaction.js';
import { eraseAfterAccountErasures, type ErasureDeps } from './erasure/erasureReaction.js';

export interface Projector {
  /**
   * Resolves once the read model has applied everything up to `position` — how a mutation returns
   * the user as it is after its own write. Times out (rejects) rather than hanging a request.
   */
  waitFor(position: Position | undefined, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ProjectorOptions {
  /** how often the projector looks for a version switch a rebuild asked for (default 1 s) */
  switchCheckMs?: number;
  batchSize?: number;
  /** the erasure reaction's parts (data keys, outbox, journals); without them erasures delete no key */
  erasure?: ErasureDeps;
}

/** Applies every event after `after` to one projection version, batch by batch, until none is left. */
export async function catchUp(
  store: EventStore,
  target: ProjectionStore,
  batchSize = 500,
): Promise<Position | undefined> {
  let after = await target.checkpoint();
  for (;;) {
    const batch: RecordedEvent[] = await store.readAll({ after, maxCount: batchSize });
    if (batch.length === 0) return after;
    await target.apply(batch);
    after = batch[batch.length - 1]!.position;
  }
}

/**
 * Subscribes from the read model's checkpoint and applies batches; at-least-once, replay-safe.
 *
 * It is the only writer of the active version (the lease sees to that), so it is also the one that
 * switches to a rebuilt version: it catches that version up to the head of the store, makes it
 * active, and skips what the new version already holds — no gap, and nothing applied twice.
 */
export async function startProjector(
  store: EventStore,
  readModel: ReadModel,
  log: Logger,
  options: ProjectorOptions = {},
): Promise<Projector> {
  const progress = new EventEmitter();
  progress.setMaxListeners(0);
  let applied = await readModel.checkpoint();
  const reached = (position: Position) => applied !== undefined && store.comparePositions(applied, position) >= 0;
  const advance = (position: Position | undefined) => {
    if (position === undefined || reached(position)) return;
    applied = position;
    progress.emit('applied');
  };

  // Batches and switches never interleave.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };

  async function switchIfAsked() {
    const version = await readModel.versions.requested();
    if (version === undefined) return;
    const covered = await catchUp(store, await readModel.versions.open(version), options.batchSize);
    await readModel.versions.activate(version);
    log.info({ version, position: covered }, 'switched to the rebuilt projection version');
    advance(covered);
  }

  const subscription: Subscription = store.subscribe({
    after: applied,
    batchSize: options.batchSize,
    onEvents: (events) =>
      exclusive(async () => {
        // After a switch the subscription still delivers what the new version already holds.
        const fresh = events.filter((event) => !reached(event.position));
        if (fresh.length > 0) {
          await readModel.apply(fresh);
          await endSessionsAfterCredentialChanges(readModel, fresh);
        }
        // Every event, not only the fresh ones: an erasure that a rebuilt version applied before the
        // switch still needs its key deleted. Replay-safe, so a repeat deletes nothing new.
        await eraseAfterAccountErasures(options.erasure, events);
        advance(events[events.length - 1]!.position);
      }),
    onError: (error) =>
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'projection batch failed; retrying'),
  });
  const timer = setInterval(() => {
    exclusive(switchIfAsked).catch((error: unknown) =>
      log.error(
        { err: error instanceof Error ? error.message : String(error) },
        'projection version switch failed; retrying',
      ),
    );
  }, options.switchCheckMs ?? 1000);
  timer.unref();

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
    async stop() {
      clearInterval(timer);
      await subscription.close();
      await chain;
    },
  };
}
