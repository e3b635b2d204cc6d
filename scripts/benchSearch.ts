/**
 * The users-search part of `npm run bench`: GraphQL over HTTP, paced evenly (open loop) from a
 * worker thread, so that a query slower than the interval shows up as a growing queue — as it would
 * for real users — rather than as a lower request rate, and the client's own work never holds up the
 * server's thread. Latency runs from when a request was due, not from when it could be sent.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/** The five term classes the bench reports; each rotates through a few terms of its kind. */
export const SEARCH_TERM_CLASSES = {
  oneName: ['lovelace', 'Okafor', 'grace', 'tanaka', 'ines'],
  twoWords: ['ada love', 'chloe pat', 'ines silva', 'farid berg'],
  oneLetter: ['a', 'k', 'y', 'j'],
  extensionPrefix: ['10001', '2000', '200500', '1'],
  noMatch: ['xyz-nothing', 'qqq', 'zebra'],
} as const;

export type SearchTermClass = keyof typeof SEARCH_TERM_CLASSES;

export interface SearchFigures {
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** how long the paced run took: longer than planned when the server fell behind */
  elapsedMs: number;
}

export interface SearchBenchOptions {
  url: string;
  token: string;
  /** default 50 */
  ratePerSecond?: number;
  /** per term class, default 20 */
  seconds?: number;
}

const QUERY =
  'query($s: String) { users(search: $s, first: 50) { totalCount totalCountIsExact pageInfo { hasNextPage endCursor } edges { node { id name extension status } } } }';

/** Plain JavaScript for the worker: no TypeScript loader needed there. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { url, token, classes, rate, seconds, query } = workerData;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
async function ask(search) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
    body: JSON.stringify({ query, variables: { s: search } }),
  });
  const json = await res.json();
  if (json.errors) throw new Error('search "' + search + '": ' + JSON.stringify(json.errors));
}
async function measure(terms) {
  for (let i = 0; i < 2 * terms.length; i++) await ask(terms[i % terms.length]);
  const count = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const start = performance.now() + interval;
  const timings = [];
  const requests = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    requests.push(ask(terms[i % terms.length]).then(() => timings.push(performance.now() - due)));
  }
  await Promise.all(requests);
  timings.sort((a, b) => a - b);
  return { p50Ms: quantile(timings, 0.5), p99Ms: quantile(timings, 0.99), requests: count, elapsedMs: performance.now() - start };
}
(async () => {
  const figures = {};
  for (const [name, terms] of Object.entries(classes)) figures[name] = await measure(terms);
  parentPort.postMessage(figures);
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

/** Every class in turn, so that one class's backlog never lands in another's figures. */
export function benchSearch(options: SearchBenchOptions): Promise<Record<SearchTermClass, SearchFigures>> {
  const workerData = {
    url: options.url,
    token: options.token,
    classes: SEARCH_TERM_CLASSES,
    rate: options.ratePerSecond ?? 50,
    seconds: options.seconds ?? 20,
    query: QUERY,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData });
    worker.once('message', (message: Record<SearchTermClass, SearchFigures> | { error: string }) => {
      void worker.terminate();
      if ('error' in message) reject(new Error(message.error));
      else resolve(message);
    });
    worker.once('error', reject);
  });
}

/**
 * The same terms asked of the read model directly, one after another: what the store costs, apart
 * from HTTP, GraphQL and the pacing, for telling a slow query from a busy machine.
 */
export async function benchSearchDirect(search: (term: string) => Promise<unknown>, perClass = 200) {
  const figures = {} as Record<SearchTermClass, { p50Ms: number; p99Ms: number }>;
  for (const [name, terms] of Object.entries(SEARCH_TERM_CLASSES) as [SearchTermClass, readonly string[]][]) {
    const timings: number[] = [];
    for (let i = 0; i < perClass; i++) {
      const start = performance.now();
      await search(terms[i % terms.length]!);
      timings.push(performance.now() - start);
    }
    timings.sort((a, b) => a - b);
    const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))]!;
    figures[name] = { p50Ms: at(0.5), p99Ms: at(0.99) };
  }
  return figures;
}

/** The figures `--json` reports: p99 per class and the worst of them. */
export function searchSummary(figures: Record<SearchTermClass, SearchFigures>) {
  const searchP99Ms = Object.fromEntries(
    Object.entries(figures).map(([name, f]) => [name, Number(f.p99Ms.toFixed(1))]),
  );
  const searchP50Ms = Object.fromEntries(
    Object.entries(figures).map(([name, f]) => [name, Number(f.p50Ms.toFixed(1))]),
  );
  return { searchP50Ms, searchP99Ms, searchWorstP99Ms: Math.max(...Object.values(searchP99Ms)) };
}
