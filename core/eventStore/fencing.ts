import type { EventStore } from './eventStore.js';

/**
 * A write refused because it carried the fencing token (lease generation) of a holder that has been
 * superseded: a newer holder of the same lease has written, or claimed, the same checkpoint. The
 * writer has lost its lease (it was paused, or cut off from the lease store) and must stop.
 */
export class StaleLeaseError extends Error {
  constructor(
    /** stable id of the throw site, findable from a log line */
    readonly id: string,
    /** what was written: a checkpoint's name, or the reactor's appends */
    readonly what: string,
    readonly generation?: number,
  ) {
    const mine = generation === undefined ? 'this holder' : `generation ${generation}`;
    super(`${id}: ${what} is fenced off by a newer lease holder than ${mine}`);
    this.name = 'StaleLeaseError';
  }
}

export const isStaleLease = (error: unknown): error is StaleLeaseError => error instanceof StaleLeaseError;

/**
 * The event store as a lease holder's reactor sees it: every append first asks `stillLeading` (the
 * lease store, read again) and is refused when this process no longer holds the lease it started
 * under. A check before the append, not with it: EventStoreDB has no way to make an append depend on
 * another store, so a holder paused between the check and the append can still append late. What
 * the reactors append goes through their deciders against the account stream (expected revision),
 * so a late outcome is at worst a duplicate the decider accepts as already recorded, never a lost one.
 */
export function fencedEventStore(
  store: EventStore,
  stillLeading: () => Promise<boolean>,
  lease = 'projector',
): EventStore {
  const check = async () => {
    if (!(await stillLeading())) throw new StaleLeaseError('FENCE-e7Vq2', `appends under the ${lease} lease`);
  };
  return {
    appendToStream: async (streamName, events, options) => {
      await check();
      return store.appendToStream(streamName, events, options);
    },
    appendBatch: async (appends) => {
      await check();
      return store.appendBatch(appends);
    },
    readStream: (streamName, options) => store.readStream(streamName, options),
    readStreams: (streamNames) => store.readStreams(streamNames),
    readAll: (options) => store.readAll(options),
    subscribe: (options) => store.subscribe(options),
    comparePositions: (a, b) => store.comparePositions(a, b),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
