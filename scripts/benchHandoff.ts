/**
 * The bulk-welcome figure of issue 10 on its own: `count` users get a welcome email through one GraphQL
 * `sendWelcomeEmails` operation, and the clock runs until the last email is handed to the Postmark
 * stand-in through the real client. The stand-in runs as a child process, so its parsing and answering
 * take no time from the service's thread (which runs the projector and the email reactor, as the
 * all-in-one process does). `npx tsx scripts/benchHandoff.ts [count]` prints the figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startKeyturn } from '../api/keyturn.js';
import { toNewEvents } from '../core/commandHandler.js';
import { accountStream } from '../core/accounts/events.js';
import { createPostmarkSender } from '../core/email/postmarkSender.js';
import { startPostmarkStandIn } from '../core/email/postmarkStandIn.js';
import type { EventStore, StreamAppend } from '../core/eventStore/eventStore.js';
import { silentLogger } from '../core/logger.js';
import { onboardOrganization } from '../core/organizations/onboardOrganization.js';
import { extensionReservationStream } from '../core/reservations.js';
import { openBenchStores } from './benchStores.js';

const TOKEN = 'bench-server-token';
const CHILD_FLAG = '--postmark-stand-in-child';

export interface HandoffFigures {
  bulkRecordMs: number;
  bulkHandoffMs: number;
  bulkProviderCalls: number;
}

/** What the stand-in child says: its URL once listening, then the wall-clock time the target was met. */
type ChildMessage =
  | { type: 'listening'; url: string }
  | { type: 'reached'; atEpochMs: number; calls: number; batchCalls: number; messages: number };
type ParentMessage = { type: 'expect'; messages: number } | { type: 'reset' };

const epochNow = () => performance.timeOrigin + performance.now();

/** The child: a stand-in that reports, from its own clock, when it has received the messages expected. */
async function runStandInChild() {
  const standIn = await startPostmarkStandIn({ token: TOKEN });
  let expected = Number.POSITIVE_INFINITY;
  const send = (m: ChildMessage) => process.send?.(m);
  const watch = setInterval(() => {
    if (standIn.messages.length < expected) return;
    const batchCalls = standIn.calls.filter((c) => c.path === '/email/batch').length;
    send({
      type: 'reached',
      atEpochMs: epochNow(),
      calls: standIn.calls.length,
      batchCalls,
      messages: standIn.messages.length,
    });
    expected = Number.POSITIVE_INFINITY;
  }, 1);
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'reset') standIn.reset();
    else expected = m.messages;
  });
  process.on('disconnect', () => {
    clearInterval(watch);
    void standIn.close().then(() => process.exit(0));
  });
  send({ type: 'listening', url: standIn.url });
}

/** Forks this module as the stand-in; `reached(n)` resolves with the child's report once it has n messages. */
async function forkStandIn() {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends ChildMessage['type']>(type: T) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (m: ChildMessage) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m as Extract<ChildMessage, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`stand-in child exited (${code})`)));
    });
  const { url } = await next('listening');
  return {
    url,
    reached(messages: number) {
      const report = next('reached');
      child.send({ type: 'expect', messages } satisfies ParentMessage);
      return report;
    },
    reset: () => child.send({ type: 'reset' } satisfies ParentMessage),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/** Accounts recorded straight through the event store (set-up, not measured): one batch per 5,000. */
async function addUsers(store: EventStore, organizationId: string, count: number) {
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
      const extension = String(1_000_000 + i);
      ids.push(accountId);
      appends.push({
        streamName: extensionReservationStream(organizationId, extension),
        expectedRevision: 'no_stream',
        events: toNewEvents([{ type: 'ExtensionReserved', data: { ownerId: accountId } }], metadata),
      });
      const data = {
        accountId,
        organizationId,
        name: `Bench User ${i}`,
        extension,
        loginName: `${extension}@bench`,
        email: `user${i}@bench.example`,
        role: 'USER' as const,
        openedBy: 'system',
      };
      appends.push({
        streamName: accountStream(accountId),
        expectedRevision: 'no_stream',
        events: toNewEvents([{ type: 'AccountOpened', data }], metadata),
      });
    }
    if ((await store.appendBatch(appends)).some((o) => !o.ok)) throw new Error('set-up append failed');
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

/**
 * Records a bulk welcome of `count` users (one GraphQL operation) on a fresh embedded service in a
 * temp dir and measures until the stand-in (a child process) has every email. `details` gets the
 * figures that show whether the reactor and the projector starve each other.
 */
export async function benchHandoff(opts: {
  count: number;
  details?: (figures: Record<string, number>) => void;
  /** the read model and the reactor's checkpoints on this MongoDB; SQLite files when absent */
  mongoUrl?: string;
}): Promise<HandoffFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'keyturn-bench-handoff-'));
  const standIn = await forkStandIn();
  const secret = randomBytes(32);
  const stores = openBenchStores(dir, secret, opts.mongoUrl);
  const { store, dataKeys, readModel, checkpoints } = stores;
  const sender = createPostmarkSender({
    serverToken: TOKEN,
    apiUrl: standIn.url,
    from: 'bench@keyturn.local',
    log: silentLogger,
  });
  const keyturn = await startKeyturn({
    store,
    dataKeys,
    readModel,
    checkpoints,
    sender,
    log: silentLogger,
    secret,
    publicUrl: 'http://localhost',
  });
  let sampling: NodeJS.Timeout | undefined;
  try {
    const org = await onboardOrganization(keyturn.services.core, {
      name: 'Bench',
      domain: 'bench',
      manager: { name: 'Manager', extension: '10', email: 'm@bench.example' },
    });
    await standIn.reached(1); // the manager's own welcome
    const ids = await addUsers(store, org.organizationId, opts.count);
    const last = ids.at(-1)!;
    await waitUntil(async () => (await readModel.users.get(org.organizationId, last)) !== undefined, 120_000);
    standIn.reset();
    const handedOver = standIn.reached(opts.count);
    const contextValue = {
      actor: {
        kind: 'account' as const,
        accountId: org.managerId,
        organizationId: org.organizationId,
        role: 'OFFICE_MANAGER' as const,
      },
      requestId: randomUUID(),
      clientAddress: '127.0.0.1',
      services: keyturn.services,
    };
    const before = (await store.readAll({ maxCount: 10_000_000 })).at(-1)!.position;
    // The projector shares the thread: sampled cheaply now, judged against the bulk's last event later.
    const projected: { atMs: number; position: string | undefined }[] = [];
    const loop = monitorEventLoopDelay({ resolution: 5 });
    const t0 = epochNow();
    loop.enable();
    sampling = setInterval(() => {
      void readModel.checkpoint().then((position) => projected.push({ atMs: epochNow() - t0, position }));
    }, 5);
    const response = await keyturn.graphql.executeOperation(
      {
        query: 'mutation($ids: [ID!]) { sendWelcomeEmails(userIds: $ids) { bulkId sent skipped { userId } } }',
        variables: { ids },
      },
      { contextValue },
    );
    const bulkRecordMs = epochNow() - t0;
    const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
    if (body?.errors) throw new Error(JSON.stringify(body.errors));
    const reached = await handedOver;
    loop.disable();
    // One event per user, appended in one transaction right after `before`.
    const bulkEnd = (await store.readAll({ after: before, maxCount: opts.count })).at(-1)!.position;
    const isProjected = (p: string | undefined) => p !== undefined && store.comparePositions(p, bulkEnd) >= 0;
    await waitUntil(async () => isProjected(await readModel.checkpoint()), 300_000);
    clearInterval(sampling);
    opts.details?.({
      projectorCaughtUpMs: projected.find((s) => isProjected(s.position))?.atMs ?? epochNow() - t0,
      eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
      eventLoopDelayMaxMs: loop.max / 1e6,
      batchCalls: reached.batchCalls,
    });
    return { bulkRecordMs, bulkHandoffMs: reached.atEpochMs - t0, bulkProviderCalls: reached.calls };
  } finally {
    // a failed run must not leave the sampler asking a closed client
    clearInterval(sampling);
    await keyturn.stop();
    await standIn.close();
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes(CHILD_FLAG)) {
  await runStandInChild();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2] ?? 10_000);
  const figures = await benchHandoff({ count, details: (d) => console.log(JSON.stringify(d)) });
  console.log(JSON.stringify(figures));
}
