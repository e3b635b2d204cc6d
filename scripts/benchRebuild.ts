/**
 * The projection rebuild's rate beside the ceiling of the disk it writes to, measured in the same run
 * (the machine is shared: only the ratio of the two is worth comparing between runs).
 *   1. read-only: `store.readAll` over every event, pages of 5,000 (event store reads + decryption)
 *   2. rebuild: `rebuildProjections` with the SQLite bulk load into a fresh read model file
 *   3. ceiling: as many users rows and audit rows as events, JSON of the sizes the rebuild wrote,
 *      inserted by plain better-sqlite3 in 5,000-row transactions into a fresh file
 * `scripts/bench.ts` calls `benchRebuild` on its own store; run alone (`npx tsx scripts/benchRebuild.ts`)
 * it first records BENCH_USERS accounts (default 100,000) through the personal-data step.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
// The ceiling measures the disk and SQLite alone, without the read model's code: hence the driver itself.
import Database from 'better-sqlite3';
// …and the MongoDB ceiling the server and the plain driver alone.
import { MongoClient } from 'mongodb';
import { toNewEvents } from '../core/commandHandler.js';
import { accountStream } from '../core/accounts/events.js';
import type { EventStore, Position, StreamAppend } from '../core/eventStore/eventStore.js';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { silentLogger } from '../core/logger.js';
import { withPersonalData } from '../core/personalData/personalDataStore.js';
import { extensionReservationStream } from '../core/reservations.js';
import { rebuildProjections } from '../projections/rebuild.js';
import { createSqliteBulkLoad } from '../projections/sqlite/sqliteBulkLoad.js';
import { createSqliteDataKeys } from '../projections/sqlite/sqliteDataKeys.js';
import { createSqliteReadModel } from '../projections/sqlite/sqliteReadModel.js';
import { createMongoReadModel } from '../projections/mongo/mongoReadModel.js';
import { projectionCollections } from '../projections/mongo/mongoProjection.js';
import { benchDbName } from './benchStores.js';

const PAGE = 5000;

export interface RebuildFigures {
  rebuildEventsPerSec: number;
  rebuildCeilingEventsPerSec: number;
  events: number;
  rebuildMs: number;
  ceilingMs: number;
  /** `store.readAll` alone over every event: what reading and decrypting cost of `rebuildMs` */
  readOnlyMs: number;
}

const perSec = (events: number, ms: number) => Math.round(events / (ms / 1000));

export async function benchRebuild(opts: {
  store: EventStore;
  dir: string;
  /** rebuild into a fresh MongoDB database through `apply` (no bulk load there); ceiling: plain inserts */
  mongoUrl?: string;
}): Promise<RebuildFigures> {
  const { store, dir } = opts;
  const r0 = performance.now();
  let events = 0;
  for (let after: Position | undefined; ;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    if (page.length === 0) break;
    events += page.length;
    after = page[page.length - 1]!.position;
  }
  const readOnlyMs = performance.now() - r0;
  if (opts.mongoUrl) return { ...(await rebuildOnMongo(store, opts.mongoUrl, events)), events, readOnlyMs };

  const path = join(dir, 'rebuild-bench.db');
  const readModel = createSqliteReadModel({ path });
  const t0 = performance.now();
  const result = await rebuildProjections({
    store,
    readModel,
    log: silentLogger,
    holder: 'bench-rebuild',
    bulkLoad: createSqliteBulkLoad({ path }),
    pageSize: PAGE,
  });
  const rebuildMs = performance.now() - t0;
  await readModel.close();
  const sizes = docSizes(path, result.version);

  const ceilingMs = ceiling(join(dir, 'rebuild-ceiling.db'), events, sizes);
  return {
    rebuildEventsPerSec: perSec(events, rebuildMs),
    rebuildCeilingEventsPerSec: perSec(events, ceilingMs),
    events,
    rebuildMs,
    ceilingMs,
    readOnlyMs,
  };
}

/**
 * The rebuild through the projector's path (`apply`, pages of 1,000), beside the ceiling of the same
 * server: as many user and audit documents as events, of the sizes the rebuild wrote, inserted
 * unordered in pages of 5,000 by the plain driver into a database of their own.
 */
async function rebuildOnMongo(store: EventStore, url: string, events: number) {
  const dbName = benchDbName();
  const readModel = createMongoReadModel({ url, dbName });
  const t0 = performance.now();
  const result = await rebuildProjections({
    store,
    readModel,
    log: silentLogger,
    holder: 'bench-rebuild',
    batchSize: 1000,
  });
  const rebuildMs = performance.now() - t0;
  await readModel.close();
  const client = new MongoClient(url);
  try {
    const names = projectionCollections(result.version);
    const db = client.db(dbName);
    const size = async (collection: string) =>
      JSON.stringify((await db.collection(collection).findOne({})) ?? {}).length || 300;
    const [user, entry] = [await size(names.users), await size(names.audit)];
    const ceilingDb = client.db(benchDbName());
    const filler = (n: number) => 'x'.repeat(Math.max(0, n - 60));
    const c0 = performance.now();
    for (let i = 0; i < events; i += PAGE) {
      const n = Math.min(PAGE, events - i);
      await ceilingDb.collection('users').insertMany(
        Array.from({ length: n }, () => ({ _id: randomUUID() as never, revision: 1, doc: filler(user) })),
        {
          ordered: false,
        },
      );
      await ceilingDb.collection('audit').insertMany(
        Array.from({ length: n }, (_, k) => ({ _id: randomUUID() as never, seq: i + k, entry: filler(entry) })),
        {
          ordered: false,
        },
      );
    }
    const ceilingMs = performance.now() - c0;
    await ceilingDb.dropDatabase();
    await db.dropDatabase();
    return {
      rebuildEventsPerSec: perSec(events, rebuildMs),
      rebuildCeilingEventsPerSec: perSec(events, ceilingMs),
      rebuildMs,
      ceilingMs,
    };
  } finally {
    await client.close();
  }
}

function docSizes(path: string, version: number) {
  const db = new Database(path, { readonly: true });
  const avg = (sql: string) => Math.round((db.prepare<[], { n: number | null }>(sql).get()?.n ?? 0) || 300);
  const sizes = {
    user: avg(`SELECT avg(length(doc)) AS n FROM users_v${version}`),
    entry: avg(`SELECT avg(length(entry)) AS n FROM audit_v${version}`),
  };
  db.close();
  return sizes;
}

/**
 * Rows shaped like the rebuild's: a users row (text key, a few columns, a JSON doc) and an audit row
 * (unique id, JSON entry) per event, no secondary index, on the rebuild connection's settings (WAL,
 * `synchronous = OFF`) so that the ratio compares the work done, not the settings.
 */
function ceiling(path: string, events: number, sizes: { user: number; entry: number }): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.exec(`
    CREATE TABLE users (id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, name_lower TEXT NOT NULL,
      revision INTEGER NOT NULL, doc TEXT NOT NULL);
    CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, position TEXT NOT NULL,
      organization_id TEXT NOT NULL, type TEXT NOT NULL, entry TEXT NOT NULL);`);
  const user = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?)');
  const entry = db.prepare('INSERT INTO audit (id, position, organization_id, type, entry) VALUES (?, ?, ?, ?, ?)');
  const filler = (n: number) => JSON.stringify({ data: 'x'.repeat(Math.max(0, n - 12)) });
  const [userDoc, entryDoc] = [filler(sizes.user), filler(sizes.entry)];
  const org = randomUUID();
  const insert = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      user.run(randomUUID(), org, `name ${i}`, i, userDoc);
      entry.run(randomUUID(), String(i), org, 'AccountOpened', entryDoc);
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < events; i += PAGE) insert(i, Math.min(events, i + PAGE));
  db.pragma('wal_checkpoint(PASSIVE)');
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

/** Accounts with their reservations (about half the log, as in the service) and a few emails each tenth. */
async function populate(store: EventStore, users: number) {
  const organizationId = randomUUID();
  const metadata = {
    occurredAt: new Date().toISOString(),
    actor: 'system',
    correlationId: randomUUID(),
    organizationId,
  };
  for (let start = 0; start < users; start += PAGE) {
    const appends: StreamAppend[] = [];
    for (let i = start; i < Math.min(users, start + PAGE); i++) {
      const accountId = randomUUID();
      const extension = String(100_000 + i);
      const stream = accountStream(accountId);
      appends.push({
        streamName: extensionReservationStream(organizationId, extension),
        expectedRevision: 'no_stream',
        events: toNewEvents([{ type: 'ExtensionReserved', data: { ownerId: accountId } }], metadata),
      });
      const email = `user${i}@bench.example`;
      const opened = {
        type: 'AccountOpened',
        data: {
          accountId,
          organizationId,
          name: `Grace Hopper ${i}`,
          extension,
          loginName: `${extension}@bench`,
          email,
          role: 'USER',
          openedBy: 'system',
        },
      };
      const inviteId = randomUUID();
      const welcome = [
        {
          type: 'WelcomeEmailSent',
          data: {
            inviteId,
            expiresAt: new Date(Date.now() + 864e5).toISOString(),
            recipients: [email],
            sentBy: 'system',
          },
        },
        {
          type: 'EmailDelivered',
          data: { kind: 'welcome', refId: inviteId, to: [email], providerMessageId: randomUUID() },
        },
      ];
      appends.push({
        streamName: stream,
        expectedRevision: 'no_stream',
        events: toNewEvents(i % 10 === 0 ? [opened, ...welcome] : [opened], metadata),
      });
    }
    const outcomes = await store.appendBatch(appends);
    if (outcomes.some((o) => !o.ok)) throw new Error('set-up append failed');
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'keyturn-bench-rebuild-'));
  const dataKeys = createSqliteDataKeys({ path: join(dir, 'readmodel.db'), secret: randomBytes(32) });
  const raw = createSqliteEventStore({ path: join(dir, 'events.db') });
  const store = withPersonalData(raw, dataKeys);
  const users = Number(process.env.BENCH_USERS ?? 100_000);
  console.log(`recording ${users.toLocaleString()} accounts…`);
  await populate(store, users);
  const f = await benchRebuild({ store, dir });
  const rawRead0 = performance.now();
  for (let after: Position | undefined; ;) {
    const page = await raw.readAll({ after, maxCount: PAGE });
    if (page.length === 0) break;
    after = page[page.length - 1]!.position;
  }
  const rawReadMs = performance.now() - rawRead0;
  // The path before the bulk load, for comparison: pages of 1,000 through `apply`, as the projector.
  const before = createSqliteReadModel({ path: join(dir, 'rebuild-apply.db') });
  const applied0 = performance.now();
  for (let after: Position | undefined; ;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) break;
    await before.apply(page);
    after = page[page.length - 1]!.position;
  }
  const appliedMs = performance.now() - applied0;
  await before.close();
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`events: ${f.events.toLocaleString()}`);
  console.log(`rebuild: ${ms(f.rebuildMs)} = ${f.rebuildEventsPerSec.toLocaleString()} events/s`);
  console.log(`ceiling: ${ms(f.ceilingMs)} = ${f.rebuildCeilingEventsPerSec.toLocaleString()} events/s`);
  console.log(`rebuild / ceiling: ${(f.rebuildEventsPerSec / f.rebuildCeilingEventsPerSec).toFixed(2)}`);
  console.log(
    `apply in pages of 1,000 (the projector's path): ${ms(appliedMs)} = ${perSec(f.events, appliedMs).toLocaleString()} events/s`,
  );
  console.log(
    `readAll alone: ${ms(f.readOnlyMs)} (${((100 * f.readOnlyMs) / f.rebuildMs).toFixed(0)}% of the rebuild); without the personal-data step: ${ms(rawReadMs)}`,
  );
  await store.close();
  await dataKeys.close();
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
