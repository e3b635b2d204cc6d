import type { EventStore, Position, RecordedEvent } from '../core/eventStore/eventStore.js';
import { accountStream } from '../core/accounts/events.js';
import type { Logger } from '../core/logger.js';
import { organizationStream } from '../core/organizations/organization.js';
import { fencedReadModel } from './fencing.js';
import { catchUp } from './projector.js';
import type { ReadModel } from './readModel.js';
import { PROJECTOR_LEASE } from './versioned.js';

export interface RebuildOptions {
  store: EventStore;
  readModel: ReadModel;
  log: Logger;
  /** this process's name on the projector lease, should it take it to switch by itself */
  holder: string;
  leaseTtlMs?: number;
  /** how long to wait for a running projector to switch (default 2 min) */
  handoverTimeoutMs?: number;
  batchSize?: number;
  /**
   * The adapter's fast way to fill a fresh version (SQLite: `createSqliteBulkLoad`); without it the
   * replay goes through `apply`, as the projector does
   */
  bulkLoad?: (version: number) => BulkLoad;
  /** events per read and per bulk-load transaction (default 5,000) */
  pageSize?: number;
}

/**
 * Fills one fresh, not yet active version from the first event, its own way (indexes built at the
 * end, no waiting for the disk); the version is opened through the port only after `finish`. It
 * keeps the version's checkpoint, so the tail is caught up through `apply` as usual.
 */
export interface BulkLoad {
  /** one page of events in global order, the first page starting at the first event */
  apply(events: RecordedEvent[]): Promise<void>;
  /** builds what was left for the end (indexes); the version then reads as the projector's would */
  finish(): Promise<void>;
  close(): Promise<void>;
}

export interface RebuildResult {
  from: number;
  version: number;
  /** the position the new version had reached when it became active */
  position?: Position;
  switchedBy: 'rebuild' | 'projector';
}

/**
 * Replays every event into the next projection version (new tables or collections, own checkpoint)
 * while reads stay on the active one, then switches. The switch is done by whoever holds the
 * projector lease: this process when no projector runs, otherwise the running projector, asked
 * through `versions.request` — it catches the new version up to the head first, so nothing falls
 * between the two. The version this one replaced is dropped at the next rebuild, not now: API
 * instances may still be reading it for a moment.
 */
export async function rebuildProjections(options: RebuildOptions): Promise<RebuildResult> {
  const { store, readModel, log } = options;
  const versions = readModel.versions;
  const from = await versions.active();
  const version = from + 1;
  const stale = await versions.requested();
  if (stale !== undefined) log.warn({ version: stale }, 'replacing an earlier rebuild request');
  if (from > 1) await versions.drop(from - 1);
  await versions.drop(version);
  log.info({ from, version }, 'rebuilding into a new projection version; reads stay on the active one');
  // A crash leaves this version inactive, never requested: the next rebuild drops it (above) and starts over.
  if (options.bulkLoad) await bulkReplay(store, options.bulkLoad(version), options.pageSize ?? 5000);
  const next = await versions.open(version);
  let position = await catchUp(store, next, options.bulkLoad ? (options.pageSize ?? 5000) : options.batchSize);

  const now = new Date();
  const generation = await readModel.leases.acquire(PROJECTOR_LEASE, options.holder, options.leaseTtlMs ?? 15_000, now);
  if (generation !== undefined) {
    try {
      // Filled above without a fence (no one else writes a version that is not active); the switch
      // is made under the lease, and claims the version, so a stale projector cannot write it after.
      const fenced = fencedReadModel(readModel, generation);
      position = await catchUp(store, await fenced.versions.open(version), options.batchSize);
      await fenced.versions.activate(version);
    } finally {
      await readModel.leases.release(PROJECTOR_LEASE, options.holder);
    }
    log.info({ version, position }, 'switched: no projector was running');
    return { from, version, position, switchedBy: 'rebuild' };
  }

  await versions.request(version);
  log.info({ version }, 'caught up; asked the running projector to switch');
  const until = Date.now() + (options.handoverTimeoutMs ?? 120_000);
  while ((await versions.active()) !== version) {
    if (Date.now() > until) {
      throw new Error(`The running projector did not switch to version ${version} in time; the request stands.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log.info({ version }, 'switched by the running projector');
  return { from, version, position: await readModel.checkpoint(), switchedBy: 'projector' };
}

/**
 * The streams the projections read (`userIdOf`, `isAudited`): reservation streams, nearly half the
 * log, are skipped where the store can (a hint, see `ReadAllOptions`).
 */
const PROJECTED_STREAMS = [accountStream(''), organizationStream('')];

/** Every event so far into a fresh version. */
async function bulkReplay(store: EventStore, load: BulkLoad, pageSize: number) {
  try {
    let after: Position | undefined;
    for (;;) {
      const page = await store.readAll({ after, maxCount: pageSize, streamPrefixes: PROJECTED_STREAMS });
      if (page.length === 0) break;
      await load.apply(page);
      after = page[page.length - 1]!.position;
    }
    await load.finish();
  } finally {
    await load.close();
  }
}
