/**
 * `createUser` over GraphQL (HTTP), one mutation at a time, signed in as an office manager: each
 * answer waits for the projector to apply its own write (read-your-write), so the figure is the
 * round trip of event store + projection + read. keyturn runs as the all-in-one service does (the
 * projector and the email reactor in-process), on the SQLite event store, with the read model, its
 * checkpoints, data keys and rate limiters either in SQLite files or all in MongoDB (`mongoUrl`).
 * On MongoDB a short first run goes through a counting proxy, which reports the round trips (wire
 * messages) per mutation by command and collection; the timed run then connects directly.
 * `npx tsx scripts/benchCreateUser.ts [seconds]` runs it on SQLite and on a FerretDB of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../core/logger.js';
import { createHttpApp } from '../api/http.js';
import { startKeyturn } from '../api/keyturn.js';
import { benchManagerSession, openBenchStores } from './benchStores.js';
import { startWireCounter, type WireCounts } from './benchWireCounter.js';

export interface CreateUserFigures {
  createUserPerSec: number;
  /** mutations in flight at once, each from its own client loop */
  clients: number;
  created: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time per mutation: of this process (keyturn and the client), and of the database server */
  cpuMsPerCreate: number;
  serverCpuMsPerCreate?: number;
}

export interface CreateUserBenchOptions {
  /** `mongodb://…`: the read model (and its neighbours) on MongoDB; absent: SQLite files */
  mongoUrl?: string;
  seconds: number;
  /**
   * client loops sending at once (default 1: one office manager's clicks, where every answer waits
   * for its own projection); more show the service's throughput, the projector batching their writes
   */
  clients?: number;
  /** the database server's process (Linux): its CPU time is reported per mutation */
  serverPid?: number;
}

/** user + system CPU time of a process, in ms (Linux `/proc`; clock ticks of 10 ms) */
function cpuMsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const MUTATION = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id name extension status } }';

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** keyturn as the all-in-one service runs, listening on a free port, with an office manager signed in. */
async function startService(mongoUrl: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'keyturn-bench-create-'));
  const secret = randomBytes(32);
  const stores = openBenchStores(dir, secret, mongoUrl);
  const { store, dataKeys, readModel, checkpoints, limiters } = stores;
  const keyturn = await startKeyturn({
    store,
    dataKeys,
    readModel,
    checkpoints,
    limiters: limiters.factory,
    sender: { send: async () => ({ kind: 'delivered' }) } as never,
    log: silentLogger,
    secret,
    publicUrl: 'http://localhost',
    introspection: false,
  });
  const { token } = await benchManagerSession(keyturn, readModel);
  // The bench measures the server, not its per-session budget (the budget is still spent per request).
  const server: Server = createServer(
    createHttpApp(keyturn, silentLogger, {
      secureCookies: false,
      limiters: limiters.factory,
      requestLimits: { sessionPerMinute: 100_000_000, anonymousPerMinute: 100_000_000 },
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    token,
    async stop() {
      server.close();
      await keyturn.stop();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `count` mutations, or as many as `seconds` allow; latencies of each, in ms. */
async function drive(url: string, token: string, next: () => number, limit: { count?: number; seconds?: number }) {
  const latencies: number[] = [];
  const until = performance.now() + (limit.seconds ?? Infinity) * 1000;
  while (latencies.length < (limit.count ?? Infinity) && performance.now() < until) {
    const i = next();
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: MUTATION,
        variables: { input: { name: `Bench User ${i}`, extension: String(100_000 + i), email: `u${i}@bench.example` } },
      }),
    });
    const answer = (await res.json()) as { data?: { createUser?: { id?: string } }; errors?: unknown };
    if (!answer.data?.createUser?.id) throw new Error(`createUser ${i}: ${JSON.stringify(answer)}`);
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

/** The wire messages of `count` mutations on MongoDB, per mutation, through a counting proxy. */
export async function countCreateUserRoundTrips(mongoUrl: string, count = 40): Promise<WireCounts> {
  const counter = await startWireCounter(mongoUrl);
  const service = await startService(counter.url);
  try {
    let i = 0;
    await drive(service.url, service.token, () => i++, { count: 10 });
    counter.reset();
    await drive(service.url, service.token, () => i++, { count });
    // the last batch's checkpoint and the reactor's are written after the answers: let them land
    await new Promise((r) => setTimeout(r, 300));
    return counter.counts(count);
  } finally {
    await service.stop();
    await counter.close();
  }
}

export async function benchCreateUser(opts: CreateUserBenchOptions): Promise<CreateUserFigures> {
  const service = await startService(opts.mongoUrl);
  try {
    let i = 0;
    await drive(service.url, service.token, () => i++, { count: 20 });
    const server0 = opts.serverPid === undefined ? undefined : cpuMsOf(opts.serverPid);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const clients = Math.max(1, opts.clients ?? 1);
    const latencies = (
      await Promise.all(
        Array.from({ length: clients }, () => drive(service.url, service.token, () => i++, { seconds: opts.seconds })),
      )
    ).flat();
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const server1 = opts.serverPid === undefined ? undefined : cpuMsOf(opts.serverPid);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      createUserPerSec: Math.round((latencies.length / elapsed) * 1000 * 10) / 10,
      clients,
      created: latencies.length,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      cpuMsPerCreate: (cpu.user + cpu.system) / 1000 / latencies.length,
      ...(server0 !== undefined &&
        server1 !== undefined && { serverCpuMsPerCreate: (server1 - server0) / latencies.length }),
    };
  } finally {
    await service.stop();
  }
}

export const createUserLine = (where: string, f: CreateUserFigures) =>
  `createUser over GraphQL/HTTP, ${f.clients === 1 ? 'one at a time' : `${f.clients} clients at once`}, ${where}: ${f.createUserPerSec.toLocaleString()}/s (${f.created} created; p50 ${f.p50Ms.toFixed(1)} ms, p99 ${f.p99Ms.toFixed(1)} ms; CPU per mutation: ${f.cpuMsPerCreate.toFixed(1)} ms here${f.serverCpuMsPerCreate === undefined ? '' : `, ${f.serverCpuMsPerCreate.toFixed(1)} ms in the database server`})`;

export const roundTripLines = (counts: WireCounts) => [
  `MongoDB round trips per createUser (all clients): ${counts.perUnit.toFixed(1)}`,
  ...counts.byCommand.map(
    ({ command, perUnit, msPerUnit }) => `  ${command}: ${perUnit.toFixed(2)} (${msPerUnit.toFixed(1)} ms)`,
  ),
];

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 10);
  const only = process.argv[3]; // 'count': the round trips alone; 'mongo': the MongoDB run alone
  const { startFerretDb } = await import('./ferretdb.mjs');
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-bench-ferretdb-'));
  const ferret = await startFerretDb({ port: 0, dataDir });
  try {
    if (only !== 'mongo') {
      for (const line of roundTripLines(await countCreateUserRoundTrips(ferret.url))) console.log(line);
    }
    // side by side, SQLite first
    if (only === undefined) console.log(createUserLine('SQLite read model', await benchCreateUser({ seconds })));
    if (only !== 'count') {
      const f = await benchCreateUser({ seconds, mongoUrl: ferret.url, serverPid: ferret.pid });
      console.log(createUserLine('MongoDB read model (FerretDB)', f));
      const many = await benchCreateUser({ seconds, mongoUrl: ferret.url, serverPid: ferret.pid, clients: 8 });
      console.log(createUserLine('MongoDB read model (FerretDB)', many));
    }
  } finally {
    await ferret.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
