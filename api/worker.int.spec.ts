import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../core/eventStore/checkpoints.js';
import type { EventStore } from '../core/eventStore/eventStore.js';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import type { DataKeys } from '../core/personalData/dataKeys.js';
import { withPersonalData } from '../core/personalData/personalDataStore.js';
import { createOutboxSender } from '../core/email/outboxSender.js';
import { silentLogger } from '../core/logger.js';
import { catchUp } from '../projections/projector.js';
import type { ReadModel } from '../projections/readModel.js';
import { createSqliteReadModel } from '../projections/sqlite/sqliteReadModel.js';
import { appendPopulation } from '../projections/testing/population.js';
import { PROJECTOR_LEASE } from '../projections/versioned.js';
import { createTestApp, createUser, eventually, type TestApp } from './testing/harness.js';
import { readStoresForTests } from './testing/readStores.js';
import { startWorker, type Worker } from './worker.js';

const TTL = 400;
const secret = randomBytes(32);

describe('given two projector processes on one event store and one read store', () => {
  let store: EventStore;
  let outboxDir: string;
  const opened: { close(): Promise<void> }[] = [];
  const workers: Worker[] = [];
  /** a process of its own: its own connections to the shared stores */
  const projectorProcess = async (holder: string) => {
    const stores = await shared;
    const readModel = stores.readModel();
    const checkpoints = stores.checkpoints();
    opened.push(readModel, checkpoints);
    const worker = await startWorker({
      store,
      dataKeys,
      readModel,
      checkpoints,
      sender: createOutboxSender({ dir: outboxDir, log: silentLogger }),
      log: silentLogger,
      secret,
      publicUrl: 'http://keyturn.test',
      leaseHolder: holder,
      leaseTtlMs: TTL,
    });
    workers.push(worker);
    return { worker, readModel, checkpoints };
  };
  let shared: ReturnType<typeof readStoresForTests>;
  let dataKeys: DataKeys;

  beforeEach(async () => {
    shared = readStoresForTests({ shared: true });
    dataKeys = (await shared).dataKeys(secret);
    store = withPersonalData(createSqliteEventStore({ path: ':memory:', pollIntervalMs: 20 }), dataKeys);
    outboxDir = mkdtempSync(join(tmpdir(), 'keyturn-outbox-'));
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    for (const resource of opened.splice(0)) await resource.close();
    await dataKeys.close();
    await store.close();
  });

  const head = async () => (await store.readAll({ maxCount: 1_000_000 })).at(-1)!.position;
  /** Nothing after the checkpoint: every event up to the head of the log was handled. */
  const atHead = async (checkpoint: string | undefined) =>
    checkpoint !== undefined && (await store.readAll({ after: checkpoint, maxCount: 1 })).length === 0;
  const caughtUp = async (readModel: ReadModel, checkpoints: CheckpointStore) =>
    (await atHead(await readModel.checkpoint())) && atHead(await checkpoints.load('email-reactor'));
  const emails = () =>
    readdirSync(outboxDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => (JSON.parse(readFileSync(join(outboxDir, f), 'utf8')) as { metadata: { refId: string } }).metadata.refId);

  it('one works and the other stands by; on a graceful stop the other takes over where it left off', async () => {
    const one = await projectorProcess('one');
    const two = await projectorProcess('two');
    expect([one.worker.active, two.worker.active]).toEqual([true, false]);
    const before = await appendPopulation(store, 10);
    await eventually(() => caughtUp(one.readModel, one.checkpoints), 'the first projector');
    expect(await two.readModel.checkpoint()).toBe(await head());

    await one.worker.stop();
    await eventually(() => two.worker.active, 'the second projector to take the lease', 3000);
    const after = await appendPopulation(store, 10);
    await eventually(() => caughtUp(two.readModel, two.checkpoints), 'the second projector');

    const fresh = createSqliteReadModel({ path: ':memory:' });
    opened.push(fresh);
    await catchUp(store, fresh);
    for (const organizationId of [...before.organizations, ...after.organizations]) {
      const query = { organizationId, first: 200 };
      expect(await two.readModel.users.search({ ...query, now: after.now })).toEqual(await fresh.users.search({ ...query, now: after.now }));
      expect(await two.readModel.audit.list(query)).toEqual(await fresh.audit.list(query));
    }
    // Welcomes in this history have their outcome recorded and resets a later password change, so
    // the emails due are the password-changed notices: each sent once, by whichever process held the lease.
    const due = (await store.readAll({ maxCount: 1_000_000 })).filter((e) => e.type === 'PasswordChanged').length;
    const sent = emails();
    expect(due).toBeGreaterThan(6);
    expect([sent.length, new Set(sent).size]).toEqual([due, due]);
  });

  it('a projector that died holding the lease is replaced once the lease lapses, not before', async () => {
    const stores = await shared;
    const readModel = stores.readModel();
    opened.push(readModel);
    await readModel.leases.acquire(PROJECTOR_LEASE, 'crashed', TTL, new Date());
    const started = Date.now();
    const standby = await projectorProcess('standby');
    expect(standby.worker.active).toBe(false);
    await eventually(() => standby.worker.active, 'the standby to take the lapsed lease', 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TTL - 50);
  });
});

describe('given the stateless API and a projector process beside it', () => {
  let app: TestApp;
  let projector: Worker;
  beforeEach(async () => {
    app = await createTestApp({ background: false, secret });
    projector = await startWorker({
      store: app.store,
      dataKeys: app.dataKeys,
      readModel: app.readModel,
      checkpoints: app.checkpoints,
      sender: createOutboxSender({ dir: app.outboxDir, log: silentLogger }),
      log: silentLogger,
      secret,
      publicUrl: 'http://keyturn.test',
      leaseHolder: 'projector',
    });
  });
  afterEach(async () => {
    await projector.stop();
    await app.stop();
  });

  it('a mutation answers with the user as projected by the other process', async () => {
    const acme = await app.organization('acme');
    const ben = await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    expect(ben).toMatchObject({ loginName: '101@acme', status: 'NOT_INVITED' });
    expect(await app.readModel.users.get(acme.organizationId, ben.id)).toMatchObject({ name: 'Ben Okafor' });
  });
});
