import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { createHttpApp } from '../http.js';
import { createTestApp, createUser, GOOD_PASSWORD, sendWelcome, settled, type TestApp } from '../testing/harness.js';
import { recordingLog } from '../testing/recordingLog.js';


async function listen(app: TestApp, log = recordingLog().log) {
  const server: Server = createHttpApp(app.keyturn, log, { secureCookies: false }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    gql: async (query: string, variables: object = {}, token?: string) => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The value of one sample line of the Prometheus text format, e.g. `name{label="x"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('given the service running on reachable stores', () => {
  let app: TestApp;
  let http: Awaited<ReturnType<typeof listen>>;
  afterEach(async () => {
    await http.close();
    await app.stop();
  });

  it('GET /readyz answers 200 and names each check', async () => {
    app = await createTestApp();
    http = await listen(app);
    const res = await fetch(`${http.base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { eventStore: 'ok', readStore: 'ok' } });
  });

  it('GET /metrics shows GraphQL durations by operation, emails sent and projection lag', async () => {
    app = await createTestApp();
    const acme = await app.organization('acme');
    const ben = await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    await sendWelcome(app, acme.token, ben.id);
    await settled(app);
    http = await listen(app);
    await http.gql('query UsersPage { users(first: 5) { totalCount } }', {}, acme.token);
    await http.gql('query UsersPage { users(first: 5) { totalCount } }', {}, acme.token);
    await http.gql('query WhoAmI { me { name } }', {}, acme.token);
    await http.gql('query Broken { nope }', {}, acme.token);

    const res = await fetch(`${http.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'keyturn_graphql_request_duration_seconds_count{operation="UsersPage",outcome="ok"}')).toBe(2);
    expect(sample(text, 'keyturn_graphql_request_duration_seconds_count{operation="WhoAmI",outcome="ok"}')).toBe(1);
    expect(sample(text, 'keyturn_graphql_request_duration_seconds_count{operation="Broken",outcome="error"}')).toBe(1);
    // the harness's own unnamed operations
    expect(
      sample(text, 'keyturn_graphql_request_duration_seconds_count{operation="anonymous",outcome="ok"}'),
    ).toBeGreaterThan(0);
    // the manager's welcome (organization set-up) and Ben's, through the outbox sender
    expect(sample(text, 'keyturn_emails_total{outcome="delivered"}')).toBe(2);
    expect(sample(text, 'keyturn_projection_lag_events{projection="read-model"}')).toBe(0);
    expect(sample(text, 'keyturn_projection_lag_events{projection="email-reactor"}')).toBe(0);
    expect(sample(text, 'keyturn_projection_lag_seconds{projection="read-model"}')).toBe(0);
  });

  it('projection lag counts the events after a checkpoint and the age of the oldest', async () => {
    app = await createTestApp();
    await app.organization('acme');
    await settled(app);
    http = await listen(app);
    // Projector and reactor stop; three events recorded two minutes ago wait for them.
    await app.keyturn.stop();
    const occurredAt = new Date(Date.now() - 120_000).toISOString();
    const pending = [1, 2, 3].map((n) => ({
      id: randomUUID(),
      type: 'Something',
      data: { n },
      metadata: { occurredAt, actor: 'system', correlationId: 'c' },
    }));
    await app.store.appendToStream('test-lag', pending);
    const text = await (await fetch(`${http.base}/metrics`)).text();
    for (const projection of ['read-model', 'email-reactor']) {
      expect(sample(text, `keyturn_projection_lag_events{projection="${projection}"}`)).toBe(3);
      expect(sample(text, `keyturn_projection_lag_seconds{projection="${projection}"}`)).toBeGreaterThanOrEqual(120);
    }
  });

  it('logs one line per request without tokens, query strings, passwords or cookies', async () => {
    app = await createTestApp();
    const acme = await app.organization('acme');
    const { log, lines } = recordingLog();
    http = await listen(app, log);
    await fetch(`${http.base}/setup?token=secret-link-token`, { headers: { cookie: 'keyturn_session=secret-cookie' } });
    await http.gql(`mutation { signIn(loginName: "${acme.loginName}", password: "${GOOD_PASSWORD}") { token } }`);
    await fetch(`${http.base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${acme.token}`,
        'x-request-id': 'req-from-the-proxy-1',
      },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    await fetch(`${http.base}/healthz`);

    const requests = lines.filter((l) => l.msg === 'request').map((l) => l.obj);
    // (what /setup answers depends on whether a UI is mounted; only its line matters here)
    expect(requests.map((r) => [r.method, r.path, r.path === '/setup' ? 'any' : r.status])).toEqual([
      ['GET', '/setup', 'any'],
      ['POST', '/graphql', 200],
      ['POST', '/graphql', 200],
    ]);
    expect(requests[2]!.requestId).toBe('req-from-the-proxy-1');
    for (const r of requests) {
      expect(Object.keys(r).sort()).toEqual(['durationMs', 'method', 'path', 'requestId', 'status']);
      expect(typeof r.durationMs).toBe('number');
    }
    const everything = JSON.stringify(lines);
    for (const secret of ['secret-link-token', 'secret-cookie', GOOD_PASSWORD, acme.token])
      expect(everything).not.toContain(secret);
  });
});

describe('given an event store that cannot be reached', () => {
  it('GET /readyz answers 503 naming the store, while /healthz stays 200', async () => {
    const store = createSqliteEventStore({ path: ':memory:', pollIntervalMs: 20 });
    const app = await createTestApp({
      store: { ...store, ping: () => Promise.reject(new Error('connection refused')) },
    });
    const { log, lines } = recordingLog();
    const http = await listen(app, log);
    try {
      const res = await fetch(`${http.base}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'unavailable',
        checks: { eventStore: 'unreachable', readStore: 'ok' },
      });
      expect((await fetch(`${http.base}/healthz`)).status).toBe(200);
      expect(lines.find((l) => l.msg === 'readiness check failed')?.obj).toEqual({
        check: 'eventStore',
        err: 'connection refused',
      });
    } finally {
      await http.close();
      await app.stop();
    }
  });
});
