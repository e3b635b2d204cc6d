/**
 * `npm run bench`: the figures the core issue names, on the embedded store (SQLite files in a temp dir).
 *   1. bulk welcome for 10,000 users: time to record (one GraphQL request), time until every email is
 *      handed to a Postmark stand-in run as a child process, through the real client, and the provider
 *      calls made (see `benchHandoff.ts`)
 *   2. projection rebuild rate (events/s) over every event of this run, and the raw ceiling of the same
 *      disk in the same run (see `benchRebuild.ts`)
 *   3. users search p50/p99 over GraphQL (HTTP) in an organization of 100,000 users, paced evenly at
 *      50 requests/s for 20 s per term class (one name, two words, one letter, extension prefix, no
 *      match), from a worker thread (see `benchSearch.ts`)
 *   4. spreadsheet import of 10,000 rows: validated (dry run) and validated + recorded, on the core path
 *   5. `{ me { id } }` over HTTP against a bare Apollo Server on the same Node, in turns (see `benchRequests.ts`)
 *   and the peak RSS of this process
 * Sizes can be lowered for a quick look: BENCH_BULK=1000 BENCH_USERS=10000 BENCH_SEARCH_SECONDS=2 npm run bench
 * `npm run bench -- --json` ends with one JSON line of every figure.
 *
 * `npm run bench -- --mongo`: the same figures with the read model and its neighbours (data keys, the
 * reactor's checkpoints, rate-limit counters, sessions) on a FerretDB the bench starts as a child
 * process and stops at the end, plus `createUser` over GraphQL/HTTP one at a time, on SQLite and on
 * FerretDB side by side, then from 8 clients at once on FerretDB (see `benchCreateUser.ts`), and the
 * MongoDB round trips per createUser. The
 * rebuild goes through `apply` there (MongoDB has no bulk load) beside a plain-insert ceiling. Smaller
 * default sizes (printed): FerretDB v1 answers only `_id` lookups without decoding every document
 * of a collection, so a search over 100,000 users takes seconds per query there. The BENCH_* sizes
 * still apply.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventStore, StreamAppend } from '../core/eventStore/eventStore.js';
import { createPostmarkSender } from '../core/email/postmarkSender.js';
import { startPostmarkStandIn } from '../core/email/postmarkStandIn.js';
import { silentLogger } from '../core/logger.js';
import { toNewEvents } from '../core/commandHandler.js';
import { accountStream } from '../core/accounts/events.js';
import { extensionReservationStream } from '../core/reservations.js';
import { onboardOrganization } from '../core/organizations/onboardOrganization.js';
import { startKeyturn } from '../api/keyturn.js';
import { createHttpApp } from '../api/http.js';
import { openSession } from '../api/auth/sessions.js';
import { importUsers } from '../core/accounts/import/importUsers.js';
import { benchHandoff } from './benchHandoff.js';
import { benchRebuild } from './benchRebuild.js';
import { benchRequests } from './benchRequests.js';
import { benchSearch, benchSearchDirect, searchSummary } from './benchSearch.js';
import { benchCreateUser, countCreateUserRoundTrips, createUserLine, roundTripLines } from './benchCreateUser.js';
import { openBenchStores } from './benchStores.js';
import { FERRETDB_VERSION, startFerretDb } from './ferretdb.mjs';

const MONGO = process.argv.includes('--mongo');
const BULK = Number(process.env.BENCH_BULK ?? (MONGO ? 200 : 10_000));
const USERS = Number(process.env.BENCH_USERS ?? (MONGO ? 5_000 : 100_000));
const SEARCH_SECONDS = Number(process.env.BENCH_SEARCH_SECONDS ?? (MONGO ? 3 : 20));
const SEARCH_RATE = Number(process.env.BENCH_SEARCH_RATE ?? (MONGO ? 2 : 50));
/** queries per term class asked of the read model directly */
const SEARCH_DIRECT = MONGO ? 10 : 200;
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT ?? (MONGO ? 1_000 : 10_000));
const CREATE_SECONDS = Number(process.env.BENCH_CREATE_SECONDS ?? 10);
const JSON_OUT = process.argv.includes('--json');
const TOKEN = 'bench-server-token';
const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Liam',
  'Maya',
  'Noor',
];
const LAST = ['Lovelace', 'Okafor', 'Martin', 'Patel', 'Rossi', 'Haddad', 'Hopper', 'Tanaka', 'Silva', 'Berg', 'Nowak'];

const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Accounts recorded straight through the event store (set-up, not measured): one batch per 5,000. */
async function addUsers(store: EventStore, organizationId: string, count: number, firstExtension: number) {
  const ids: string[] = [];
  const metadata = {
    occurredAt: new Date().toISOString(),
    actor: 'system',
    correlationId: randomUUID(),
    organizationId,
  };
  for (let start = 0; start < count; start += 5000) {
    const appends: StreamAppend[] = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      const accountId = randomUUID();
      const extension = String(firstExtension + i);
      const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${i}`;
      ids.push(accountId);
      appends.push({
        streamName: extensionReservationStream(organizationId, extension),
        expectedRevision: 'no_stream',
        events: toNewEvents([{ type: 'ExtensionReserved', data: { ownerId: accountId } }], metadata),
      });
      appends.push({
        streamName: accountStream(accountId),
        expectedRevision: 'no_stream',
        events: toNewEvents(
          [
            {
              type: 'AccountOpened',
              data: {
                accountId,
                organizationId,
                name,
                extension,
                loginName: `${extension}@bench`,
                email: `user${i}@bench.example`,
                role: 'USER',
                openedBy: 'system',
              },
            },
          ],
          metadata,
        ),
      });
    }
    const outcomes = await store.appendBatch(appends);
    if (outcomes.some((o) => !o.ok)) throw new Error('set-up append failed');
  }
  return ids;
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main(dir: string, ferret: { url: string; pid: number } | undefined) {
  const mongoUrl = ferret?.url;
  const standIn = await startPostmarkStandIn({ token: TOKEN });
  // As the service runs: personal data sealed with data keys kept beside the read model.
  const secret = randomBytes(32);
  const stores = openBenchStores(dir, secret, mongoUrl);
  const { store, dataKeys, readModel, checkpoints } = stores;
  const where = mongoUrl ? 'MongoDB read model (FerretDB)' : 'SQLite read model';
  if (mongoUrl) {
    console.log(
      `read model on FerretDB ${FERRETDB_VERSION} (SQLite backend), at smaller sizes: bulk ${BULK.toLocaleString()}, organization of ${USERS.toLocaleString()}, import of ${IMPORT_ROWS.toLocaleString()} rows, search at ${SEARCH_RATE}/s for ${SEARCH_SECONDS} s per term class, ${SEARCH_DIRECT} direct queries per class (embedded defaults: 10,000 / 100,000 / 10,000 / 50/s for 20 s / 200). FerretDB v1 hands SQL no filter but a lone _id equality: every other query decodes every document of its collection, so a search over 100,000 users takes seconds there (user documents are therefore replaced by _id there, the revision compared in keyturn).`,
    );
  }
  const keyturn = await startKeyturn({
    store,
    dataKeys,
    readModel,
    checkpoints,
    sender: createPostmarkSender({
      serverToken: TOKEN,
      apiUrl: standIn.url,
      from: 'bench@keyturn.local',
      log: silentLogger,
    }),
    log: silentLogger,
    secret,
    publicUrl: 'http://localhost',
  });
  const core = keyturn.services.core;
  const org = await onboardOrganization(core, {
    name: 'Bench',
    domain: 'bench',
    manager: { name: 'Manager', extension: '10', email: 'm@bench.example' },
  });

  // 1. Bulk welcome, in a service of its own with the stand-in in a child process
  const handoff = await benchHandoff({ count: BULK, mongoUrl });
  console.log(
    `bulk welcome, ${BULK.toLocaleString()} users: recorded in ${ms(handoff.bulkRecordMs)} (one GraphQL request); all handed to the Postmark stand-in (child process) after ${ms(handoff.bulkHandoffMs)}; provider calls: ${handoff.bulkProviderCalls}`,
  );
  console.log(`setting up ${BULK.toLocaleString()} users…`);
  const bulkIds = await addUsers(store, org.organizationId, BULK, 1_000_000);
  await waitUntil(
    async () => (await readModel.users.get(org.organizationId, bulkIds[bulkIds.length - 1]!)) !== undefined,
    120_000,
  );

  // 4. Spreadsheet import into its own organization: what importUsers does, without the wait for the projector
  const importOrg = await onboardOrganization(core, {
    name: 'Import',
    domain: 'import',
    manager: { name: 'Importer', extension: '10', email: 'i@import.example' },
  });
  const csv =
    'name;extension;email;secondary email;role\r\n' +
    Array.from(
      { length: IMPORT_ROWS },
      (_, i) =>
        `"${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]}, ${i}";${3_000_000 + i};imp${i}@import.example;;user`,
    ).join('\r\n');
  const importer = {
    actor: {
      kind: 'account' as const,
      accountId: importOrg.managerId,
      organizationId: importOrg.organizationId,
      role: 'OFFICE_MANAGER' as const,
    },
  };
  const options = { sendWelcome: false, maxRows: IMPORT_ROWS };
  const i0 = performance.now();
  const dry = await importUsers(core, importer, importOrg.organizationId, csv, { ...options, dryRun: true });
  const importDryRunMs = performance.now() - i0;
  const i1 = performance.now();
  const imported = await importUsers(core, importer, importOrg.organizationId, csv, { ...options, dryRun: false });
  const importRecordMs = performance.now() - i1;
  if (dry.rejected + imported.rejected > 0 || imported.created !== IMPORT_ROWS) throw new Error('import rejected rows');
  console.log(
    `spreadsheet import, ${IMPORT_ROWS.toLocaleString()} rows (${(csv.length / 1024).toFixed(0)} KB): validated in ${ms(importDryRunMs)} (dry run); validated and recorded in ${ms(importRecordMs)}`,
  );

  // 3. Search over GraphQL (HTTP) with USERS users in the organization
  console.log(`setting up ${(USERS - BULK).toLocaleString()} more users (organization of ${USERS.toLocaleString()})…`);
  const more = await addUsers(store, org.organizationId, Math.max(0, USERS - BULK), 2_000_000);
  const last = more[more.length - 1];
  if (last) await waitUntil(async () => (await readModel.users.get(org.organizationId, last)) !== undefined, 600_000);

  // 2. Projection rebuild: every event of this run into a fresh read model, beside the disk's ceiling
  const rebuild = await benchRebuild({ store, dir, mongoUrl });
  console.log(
    `projection rebuild${mongoUrl ? ' (through apply, pages of 1,000)' : ''}: ${rebuild.events.toLocaleString()} events in ${ms(rebuild.rebuildMs)} = ${rebuild.rebuildEventsPerSec.toLocaleString()} events/s; raw ceiling on the same disk ${rebuild.rebuildCeilingEventsPerSec.toLocaleString()} events/s (ratio ${(rebuild.rebuildEventsPerSec / rebuild.rebuildCeilingEventsPerSec).toFixed(2)}); reading and decrypting alone ${ms(rebuild.readOnlyMs)}`,
  );

  // The bench measures the server, not its per-session budget.
  const app = createHttpApp(keyturn, silentLogger, {
    secureCookies: false,
    requestLimits: { sessionPerMinute: 1_000_000, anonymousPerMinute: 1_000_000 },
  });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const managerAccount = {
    id: org.managerId,
    organizationId: org.organizationId,
    role: 'OFFICE_MANAGER' as const,
    credentialVersion: 0,
  } as Parameters<typeof openSession>[1];
  const { token } = await openSession(keyturn.services, managerAccount, 'keyturn bench');
  const search = await benchSearch({ url, token, ratePerSecond: SEARCH_RATE, seconds: SEARCH_SECONDS });
  for (const [name, f] of Object.entries(search)) {
    console.log(
      `users search over GraphQL/HTTP, organization of ${USERS.toLocaleString()}, ${name}: p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)} (${f.requests} queries at ${SEARCH_RATE}/s, first: 50; took ${ms(f.elapsedMs)})`,
    );
  }
  console.log(`users search, worst p99 of the term classes: ${ms(searchSummary(search).searchWorstP99Ms)}`);
  const direct = await benchSearchDirect(
    (term) => readModel.users.search({ organizationId: org.organizationId, search: term, first: 50, now: new Date() }),
    SEARCH_DIRECT,
  );
  for (const [name, f] of Object.entries(direct)) {
    console.log(`  the read model alone, ${name}: p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)} (one query at a time)`);
  }

  // 5. The request path against a bare Apollo Server
  const requests = await benchRequests({ seconds: Number(process.env.BENCH_REQUEST_SECONDS ?? 10), mongoUrl });
  console.log(
    `{ me { id } } over HTTP: ${requests.meRequestsPerSec.toLocaleString()} req/s vs a bare Apollo Server ${requests.apolloRequestsPerSec.toLocaleString()} req/s (ratio ${(requests.meRequestsPerSec / requests.apolloRequestsPerSec).toFixed(2)}; per CPU second ${(requests.meRequestsPerCpuSec / requests.apolloRequestsPerCpuSec).toFixed(2)})`,
  );
  // 6. createUser one at a time, on SQLite and on MongoDB side by side, then 8 at once (--mongo only)
  let created:
    { createUserPerSec: number; createUserSqlitePerSec: number; createUser8ClientsPerSec: number } | undefined;
  if (mongoUrl) {
    for (const line of roundTripLines(await countCreateUserRoundTrips(mongoUrl))) console.log(line);
    const onSqlite = await benchCreateUser({ seconds: CREATE_SECONDS });
    const onMongo = await benchCreateUser({ seconds: CREATE_SECONDS, mongoUrl, serverPid: ferret?.pid });
    // Several office managers at once: the projector applies their writes in shared batches.
    const onMongoMany = await benchCreateUser({
      seconds: CREATE_SECONDS,
      mongoUrl,
      serverPid: ferret?.pid,
      clients: 8,
    });
    console.log(createUserLine('SQLite read model', onSqlite));
    console.log(createUserLine(where, onMongo));
    console.log(createUserLine(where, onMongoMany));
    console.log(
      `createUser, MongoDB / SQLite: ${(onMongo.createUserPerSec / onSqlite.createUserPerSec).toFixed(2)} (${onMongo.createUserPerSec}/s vs ${onSqlite.createUserPerSec}/s, same run)`,
    );
    created = {
      createUserPerSec: onMongo.createUserPerSec,
      createUserSqlitePerSec: onSqlite.createUserPerSec,
      createUser8ClientsPerSec: onMongoMany.createUserPerSec,
    };
  }
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`peak RSS of the bench process: ${peakRssMb} MB`);

  if (JSON_OUT) {
    const summary = searchSummary(search);
    console.log(
      JSON.stringify({
        ...handoff,
        rebuildEventsPerSec: rebuild.rebuildEventsPerSec,
        rebuildCeilingEventsPerSec: rebuild.rebuildCeilingEventsPerSec,
        ...summary,
        importRows: IMPORT_ROWS,
        importDryRunMs,
        importRecordMs,
        meRequestsPerSec: requests.meRequestsPerSec,
        apolloRequestsPerSec: requests.apolloRequestsPerSec,
        ...created,
        readModel: mongoUrl ? 'mongodb' : 'sqlite',
        peakRssMb,
      }),
    );
  }

  server.close();
  await keyturn.stop();
  await standIn.close();
  await stores.close();
}

const benchDir = mkdtempSync(join(tmpdir(), 'keyturn-bench-'));
const ferret = MONGO ? await startFerretDb({ port: 0, dataDir: join(benchDir, 'ferretdb') }) : undefined;
try {
  await main(benchDir, ferret);
} finally {
  // FerretDB is this bench's child: stopped by its PID (SIGTERM, then SIGKILL after 5 s).
  await ferret?.stop();
  rmSync(benchDir, { recursive: true, force: true });
}
