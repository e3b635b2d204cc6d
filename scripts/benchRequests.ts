/**
 * Request throughput of the whole HTTP stack, side by side with a bare Apollo Server on the same Node:
 * `{ me { id } }` with a bearer token through keyturn's real app (request log, session lookup, request
 * budget, body limits, Apollo with the shape and cost limits), then the same query through Apollo and
 * express with a constant schema. Both are driven by autocannon from a process of its own (keep-alive, a
 * fixed number of connections), so the CPU time of this process is the servers' alone, in turns
 * of 2 s each, so that a neighbour's load on a shared machine falls on both alike.
 * With `mongoUrl`, keyturn's read model (sessions included) and rate-limit counters are in MongoDB.
 * `npx tsx scripts/benchRequests.ts [seconds] [rounds]` runs the whole bench `rounds` times.
 */
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { silentLogger } from '../core/logger.js';
import { createHttpApp } from '../api/http.js';
import { startKeyturn } from '../api/keyturn.js';
import { createLog } from '../api/logging.js';
import { benchManagerSession, openBenchStores } from './benchStores.js';

export interface RequestBenchFigures {
  meRequestsPerSec: number;
  apolloRequestsPerSec: number;
  /** answered per second of the server process's CPU: the figure a noisy machine disturbs least */
  meRequestsPerCpuSec: number;
  apolloRequestsPerCpuSec: number;
}

export interface RequestBenchOptions {
  seconds: number;
  /** open keep-alive connections; default 10 */
  concurrency?: number;
  /** keyturn's read model, sessions and rate-limit counters on this MongoDB; SQLite files when absent */
  mongoUrl?: string;
}

const QUERY = JSON.stringify({ query: '{ me { id } }' });
const WARM_UP_SECONDS = 2;
const SLICE_SECONDS = 2;

/** Plain JavaScript for the client process: autocannon is resolved by the parent. */
const CLIENT = `
const autocannon = require(process.argv[1]);
process.on('message', ({ url, headers, body, connections, seconds }) => {
  autocannon({ url, method: 'POST', headers, body, connections, duration: seconds, pipelining: 1 }).then(
    (r) => process.send({ requests: r['2xx'], non2xx: r.non2xx, errors: r.errors, seconds: r.duration }),
    (e) => process.send({ failed: String(e) }),
  );
});
`;

interface Run {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  failed?: string;
}

/** One request first: a 200 that carries errors (say, no session) would make a fast, meaningless figure. */
async function checkAnswer(url: string, headers: Record<string, string>) {
  const answer = (await (await fetch(url, { method: 'POST', headers, body: QUERY })).json()) as {
    data?: { me?: { id?: string } | null };
  };
  if (!answer.data?.me?.id) throw new Error(`${url}: not a signed-in answer: ${JSON.stringify(answer)}`);
}

/** One turn: answered requests per second of the clock, and per second of this process's CPU. */
interface Turn {
  perSec: number;
  perCpuSec: number;
}

/**
 * The load generator, in a process of its own for the whole bench: this process's CPU time is then
 * the servers' alone, which a busy neighbour does not change the way it changes the clock's.
 */
function loadGenerator(connections: number) {
  const autocannon = createRequire(import.meta.url).resolve('autocannon');
  const client = spawn(process.execPath, ['-e', CLIENT, autocannon], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    /** `seconds` long; an answer other than 2xx fails the bench */
    drive(url: string, headers: Record<string, string>, seconds: number) {
      const cpu = process.cpuUsage();
      return new Promise<Turn>((resolve, reject) => {
        client.once('message', (run: Run) => {
          const { user, system } = process.cpuUsage(cpu);
          if (run.failed) return reject(new Error(run.failed));
          if (run.non2xx > 0 || run.errors > 0) {
            return reject(new Error(`${url}: ${run.non2xx} answers other than 2xx, ${run.errors} errors`));
          }
          resolve({ perSec: run.requests / run.seconds, perCpuSec: run.requests / ((user + system) / 1e6) });
        });
        client.send({ url, headers, body: QUERY, connections, seconds });
      });
    },
    stop: () => void client.kill(),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function listen(server: Server) {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** keyturn as it runs, on the embedded store; its log is real pino JSON, written to /dev/null. */
async function startKeyturnApp(mongoUrl: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'keyturn-bench-requests-'));
  const secret = randomBytes(32);
  const stores = openBenchStores(dir, secret, mongoUrl);
  const { store, dataKeys, readModel, checkpoints } = stores;
  // On MongoDB the counters are shared there, as in production; on SQLite in memory, as this bench
  // always measured (its figures stay comparable with earlier runs).
  const limiters = mongoUrl ? stores.limiters.factory : undefined;
  const log = await createLog({
    level: 'info',
    production: true,
    destination: pino.destination({ dest: '/dev/null', sync: false }),
  });
  const keyturn = await startKeyturn({
    store,
    dataKeys,
    readModel,
    checkpoints,
    limiters,
    sender: { send: async () => ({ kind: 'delivered' }) } as never,
    reactor: false,
    log: silentLogger,
    secret,
    publicUrl: 'http://localhost',
    introspection: false,
  });
  const { token } = await benchManagerSession(keyturn, readModel);
  // The bench measures the server, not its per-session budget (the budget is still spent per request).
  const server = createServer(
    createHttpApp(keyturn, log, {
      secureCookies: false,
      limiters,
      requestLimits: { sessionPerMinute: 100_000_000, anonymousPerMinute: 100_000_000 },
    }),
  );
  const url = await listen(server);
  return {
    url,
    token,
    async stop() {
      server.close();
      await keyturn.stop();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The yardstick: Apollo Server 5 behind express 5, one constant field, nothing else. */
async function startBareApollo() {
  const apollo = new ApolloServer({
    typeDefs: 'type Me { id: ID! } type Query { me: Me }',
    resolvers: { Query: { me: () => ({ id: 'bench' }) } },
  });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server = createServer(app);
  const url = await listen(server);
  return {
    url,
    async stop() {
      server.close();
      await apollo.stop();
    },
  };
}

/**
 * Both servers up in one process, driven in turns of `SLICE_SECONDS` (keyturn, Apollo, keyturn, …)
 * after a warm-up, so that a neighbour's load on a shared machine falls on both alike; each figure
 * is the median of its turns.
 */
export async function benchRequests(opts: RequestBenchOptions): Promise<RequestBenchFigures> {
  const keyturn = await startKeyturnApp(opts.mongoUrl);
  const bare = await startBareApollo();
  const load = loadGenerator(opts.concurrency ?? 10);
  try {
    const json = { 'content-type': 'application/json' };
    const servers = [
      { url: keyturn.url, headers: { ...json, authorization: `Bearer ${keyturn.token}` }, turns: [] as Turn[] },
      { url: bare.url, headers: json, turns: [] as Turn[] },
    ];
    for (const { url, headers } of servers) {
      await checkAnswer(url, headers);
      await load.drive(url, headers, WARM_UP_SECONDS);
    }
    const turns = Math.max(1, Math.round(opts.seconds / SLICE_SECONDS));
    for (let i = 0; i < turns; i++) {
      for (const server of servers) server.turns.push(await load.drive(server.url, server.headers, SLICE_SECONDS));
    }
    const [me, apollo] = servers.map((server) => ({
      perSec: median(server.turns.map((t) => t.perSec)),
      perCpuSec: median(server.turns.map((t) => t.perCpuSec)),
    }));
    return {
      meRequestsPerSec: me!.perSec,
      apolloRequestsPerSec: apollo!.perSec,
      meRequestsPerCpuSec: me!.perCpuSec,
      apolloRequestsPerCpuSec: apollo!.perCpuSec,
    };
  } finally {
    load.stop();
    await bare.stop();
    await keyturn.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 10);
  const rounds = Number(process.argv[3] ?? 1);
  for (let i = 0; i < rounds; i++) {
    const f = await benchRequests({ seconds });
    console.log(
      `{ me { id } }: keyturn ${Math.round(f.meRequestsPerSec)} req/s, bare Apollo ${Math.round(f.apolloRequestsPerSec)} req/s, ratio ${(f.meRequestsPerSec / f.apolloRequestsPerSec).toFixed(2)}; per CPU second: ${Math.round(f.meRequestsPerCpuSec)} vs ${Math.round(f.apolloRequestsPerCpuSec)}, ratio ${(f.meRequestsPerCpuSec / f.apolloRequestsPerCpuSec).toFixed(2)}`,
    );
  }
}
