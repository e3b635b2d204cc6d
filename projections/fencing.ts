import { isStaleLease } from '../core/eventStore/fencing.js';
import type { ProjectionStore, ReadModel } from './readModel.js';

/** Passes a refusal on to `onRefused` (the lease, which stops the work), then fails as before. */
const noticing =
  (onRefused?: (error: Error) => void) =>
  <T>(work: Promise<T>) =>
    work.catch((error: unknown) => {
      if (isStaleLease(error)) onRefused?.(error);
      throw error;
    });

/** `base` with some members replaced; the rest reached through it, wherever it keeps them (own or inherited). */
const over = <T extends object>(base: T, members: Partial<T>): T => Object.assign(Object.create(base) as T, members);

/** One version's store as a lease holder writes it: every batch carries its generation. */
export function fencedStore(
  store: ProjectionStore,
  generation: number,
  onRefused?: (error: Error) => void,
): ProjectionStore {
  const refused = noticing(onRefused);
  return over(store, {
    apply: (events) => refused(store.apply(events, generation)),
    claim: () => refused(store.claim(generation)),
  });
}

/**
 * The read model as the holder of the projector lease (generation `generation`) writes it: every
 * batch and checkpoint of the active version carries the generation, and so does every write to a
 * version it switches to, which it claims before making it active — a stale holder that wakes after
 * the switch finds the new version fenced too. `onRefused` hears of each write the store refused.
 * Reads, sessions and leases are the read model's own.
 */
export function fencedReadModel(
  readModel: ReadModel,
  generation: number,
  onRefused?: (error: Error) => void,
): ReadModel {
  const refused = noticing(onRefused);
  const versions = readModel.versions;
  return over(readModel, {
    apply: (events) => refused(readModel.apply(events, generation)),
    claim: () => refused(readModel.claim(generation)),
    versions: over(versions, {
      open: async (version) => fencedStore(await versions.open(version), generation, onRefused),
      async activate(version) {
        await refused((await versions.open(version)).claim(generation));
        await versions.activate(version);
      },
    }),
  });
}
