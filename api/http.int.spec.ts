import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteReadModel } from '../projections/sqlite/sqliteReadModel.js';
import { createHttpApp, type HttpAppOptions } from './http.js';
import { GOOD_PASSWORD, createTestApp, type Manager, type TestApp } from './testing/harness.js';
import { recordingLog } from './testing/recordingLog.js';

/** The HTTP app on a real port, as a client reaches it. */
async function listen(app: TestApp, options: Partial<HttpAppOptions> = {}, log = recordingLog().log) {
  const server: Server = createHttpApp(app.keyturn, log, { secureCookies: false, ...options }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    let json: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
  return {
    base,
    post,
    gql: (query: string, headers: Record<string, string> = {}, variables: object = {}) =>
      post(JSON.stringify({ query, variables }), headers),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Http = Awaited<ReturnType<typeof listen>>;
const codeOf = (answer: Awaited<ReturnType<Http['post']>>) => answer.json?.errors?.map((e) => e.extensions?.code);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('given the service answering over HTTP', () => {
  let app: TestApp;
  let acme: Manager;
  let http: Http;
  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    http = await listen(app);
  });
  afterAll(async () => {
    await http.close();
    await app.stop();
  });

  it('answers a body over 1 MB with 413 PAYLOAD_TOO_LARGE, and one just under it as usual', async () => {
    const padded = (bytes: number) => {
      const start = JSON.stringify({ query: '{ __typename }', variables: { pad: '' } });
      return JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes - start.length) } });
    };
    const over = await http.post(padded(1024 * 1024 + 1));
    expect(over.status).toBe(413);
    expect(over.json).toEqual({
      errors: [{ message: 'The request body is larger than 1 MB.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
    const under = await http.post(padded(1024 * 1024));
    expect(under.status).toBe(200);
    expect(under.json?.data).toEqual({ __typename: 'Query' });
  });

  it('answers malformed JSON, and a body that is not an object, with 400 BAD_REQUEST', async () => {
    for (const body of ['{"query": "{ me', '"{ __typename }"', '42', 'null', '[{"query": "{ __typename }"}]', '{}']) {
      const answer = await http.post(body);
      expect({ body, status: answer.status, codes: codeOf(answer) }).toEqual({
        body,
        status: 400,
        codes: ['BAD_REQUEST'],
      });
    }
  });

  it('answers 400 with a code for a query over the depth, cost, token or operation limits, or a subscription — never 500', async () => {
    const tooDeep = `{ users { edges { node { history { edges { node { user { lastEmail { to } } } } } } } } }`;
    const tooCostly = `{ users(first: 200) { edges { node { history(first: 200) { edges { node { id } } } } } } }`;
    const tooLong = `{ ${'__typename '.repeat(2500)}}`;
    const tooMany = Array.from({ length: 6 }, (_, i) => `query Q${i} { __typename }`).join(' ');
    const answers = {
      depth: await http.gql(tooDeep, bearer(acme.token)),
      cost: await http.gql(tooCostly, bearer(acme.token)),
      tokens: await http.gql(tooLong),
      operations: await http.post(JSON.stringify({ query: tooMany, operationName: 'Q1' })),
      unnamed: await http.post(JSON.stringify({ query: 'query A { __typename } query B { __typename }' })),
      subscription: await http.gql('subscription { events }'),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, [a.status, codeOf(a)]]))).toEqual({
      depth: [400, ['GRAPHQL_VALIDATION_FAILED']],
      cost: [400, ['GRAPHQL_VALIDATION_FAILED']],
      tokens: [400, ['GRAPHQL_PARSE_FAILED']],
      operations: [400, ['BAD_REQUEST']],
      unnamed: [400, ['BAD_REQUEST']],
      subscription: [400, ['BAD_REQUEST']],
    });
  });

  it('tells browsers and proxies to keep no GraphQL answer: data, errors and refusals alike', async () => {
    const answers = [
      await http.gql('{ me { id } }'),
      await http.gql('{ nope }'),
      await http.post('{"query":'),
      await http.post('x'.repeat(1024 * 1024 + 1)),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 400, 413]);
    for (const answer of answers) expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('treats a malformed session cookie as no session, not as a fault', async () => {
    const answer = await http.gql('{ me { id } }', { cookie: 'keyturn_session=%E0%A4%A' });
    expect(answer.status).toBe(200);
    expect(answer.json?.data).toEqual({ me: null });
  });

  it("keeps a summary of the sign-in's User-Agent header on the session, never the header", async () => {
    const header =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    const signIn = await http.gql(
      'mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }',
      { 'user-agent': header },
      { l: acme.loginName, p: GOOD_PASSWORD },
    );
    const token = signIn.json?.data?.signIn.token as string;
    const mine = await http.gql('{ mySessions { userAgent current } }', {
      ...bearer(token),
      'user-agent': 'curl/8.4.0',
    });
    expect(mine.json?.data?.mySessions).toContainEqual({ userAgent: 'Chrome on Windows', current: true });
    expect(mine.text).not.toContain('Mozilla');
  });
});

describe('given a budget of 3 anonymous requests per address and 5 per session, a minute', () => {
  let app: TestApp;
  let acme: Manager;
  let http: Http | undefined;
  const requestLimits = { anonymousPerMinute: 3, sessionPerMinute: 5 };
  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
  });
  afterEach(async () => {
    await http?.close();
    http = undefined;
  });
  afterAll(async () => app.stop());

  it('answers the 4th anonymous request 429 RATE_LIMITED with Retry-After in seconds', async () => {
    http = await listen(app, { requestLimits });
    for (let i = 0; i < 3; i++) expect((await http.gql('{ __typename }')).status).toBe(200);
    const refused = await http.gql('{ __typename }');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.json?.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
  });

  it('ignores X-Forwarded-For when TRUST_PROXY is off: a made-up address buys no budget', async () => {
    http = await listen(app, { requestLimits, trustProxy: false });
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      expect((await http.gql('{ __typename }', { 'x-forwarded-for': address })).status).toBe(200);
    }
    expect((await http.gql('{ __typename }', { 'x-forwarded-for': '203.0.113.4' })).status).toBe(429);
  });

  it('believes X-Forwarded-For from a proxy TRUST_PROXY names: each client address has its own budget', async () => {
    http = await listen(app, { requestLimits, trustProxy: ['loopback'] });
    for (let i = 0; i < 3; i++)
      expect((await http.gql('{ __typename }', { 'x-forwarded-for': '203.0.113.1' })).status).toBe(200);
    expect((await http.gql('{ __typename }', { 'x-forwarded-for': '203.0.113.1' })).status).toBe(429);
    expect((await http.gql('{ __typename }', { 'x-forwarded-for': '203.0.113.2' })).status).toBe(200);
  });

  it("believes the in-process UI's browser address only with the process's key", async () => {
    const handler = (_req: unknown, _res: unknown, next: () => void) => next();
    http = await listen(app, { requestLimits, ui: { handler, forwardKey: 'the-process-key' } });
    const asUi = (address: string, key = 'the-process-key') => ({
      'x-keyturn-ui-key': key,
      'x-keyturn-client-address': address,
    });
    for (let i = 0; i < 3; i++) expect((await http.gql('{ __typename }', asUi('203.0.113.7'))).status).toBe(200);
    expect((await http.gql('{ __typename }', asUi('203.0.113.7'))).status).toBe(429);
    // another browser behind the same UI has its own budget…
    expect((await http.gql('{ __typename }', asUi('203.0.113.8'))).status).toBe(200);
    // …and a caller without the key is its socket's address, whatever it names
    for (let i = 0; i < 3; i++)
      expect((await http.gql('{ __typename }', asUi('203.0.113.9', 'guessed'))).status).toBe(200);
    expect((await http.gql('{ __typename }', asUi('203.0.113.10', 'guessed'))).status).toBe(429);
  });

  it('counts a signed-in session on its own budget, and made-up bearer tokens on the address', async () => {
    http = await listen(app, { requestLimits });
    for (let i = 0; i < 5; i++) expect((await http.gql('{ me { id } }', bearer(acme.token))).status).toBe(200);
    expect((await http.gql('{ me { id } }', bearer(acme.token))).status).toBe(429);
    // the session spent none of the address's budget…
    for (let i = 0; i < 3; i++) expect((await http.gql('{ __typename }', bearer(`made-up-${i}`))).status).toBe(200);
    // …and random tokens are the address's requests, not sessions of their own
    expect((await http.gql('{ __typename }', bearer('made-up-4'))).status).toBe(429);
  });
});

describe('given sign-ins that the throttle refuses', () => {
  it('answers a GraphQL answer that is only RATE_LIMITED with HTTP 429 and Retry-After', async () => {
    const app = await createTestApp();
    const acme = await app.organization('acme');
    const http = await listen(app);
    try {
      const wrong = `mutation { signIn(loginName: "${acme.loginName}", password: "not-the-password") { token } }`;
      let answer = await http.gql(wrong);
      for (let i = 0; i < 20 && answer.status !== 429; i++) answer = await http.gql(wrong);
      expect(answer.status).toBe(429);
      const error = answer.json?.errors?.[0];
      expect(error?.extensions?.code).toBe('RATE_LIMITED');
      expect(answer.headers.get('retry-after')).toBe(String(error?.extensions?.retryAfterSeconds));
    } finally {
      await http.close();
      await app.stop();
    }
  });
});

describe('given /metrics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => app.stop());

  const scrape = async (options: Partial<HttpAppOptions>, headers: Record<string, string> = {}) => {
    const http = await listen(app, options);
    try {
      const res = await fetch(`${http.base}/metrics`, { headers });
      return { status: res.status, authenticate: res.headers.get('www-authenticate'), text: await res.text() };
    } finally {
      await http.close();
    }
  };

  it('with METRICS_TOKEN, answers only its bearer: 401 with WWW-Authenticate otherwise', async () => {
    const metrics = { token: 'scrape-me-0123456789', production: true };
    expect(await scrape({ metrics })).toMatchObject({ status: 401, authenticate: 'Bearer realm="metrics"' });
    expect(await scrape({ metrics }, bearer('scrape-me-012345678'))).toMatchObject({ status: 401 });
    expect(await scrape({ metrics }, { authorization: 'Basic c2NyYXBlLW1lLTAxMjM0NTY3ODk=' })).toMatchObject({
      status: 401,
    });
    const ok = await scrape({ metrics }, bearer('scrape-me-0123456789'));
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('keyturn_graphql_request_duration_seconds');
  });

  it('without METRICS_TOKEN: 404 in production, open in development', async () => {
    expect((await scrape({ metrics: { production: true } })).status).toBe(404);
    expect((await scrape({ metrics: { production: false } })).status).toBe(200);
  });
});

describe('given a session store that fails', () => {
  it('answers 500 with the request id, and logs the fault with the same id', async () => {
    const real = createSqliteReadModel({ path: ':memory:' });
    const broken = {
      ...real,
      sessions: { ...real.sessions, get: async () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error')) },
    };
    const app = await createTestApp({ readModel: broken });
    const { log, lines } = recordingLog();
    const http = await listen(app, {}, log);
    try {
      const answer = await http.gql('{ me { id } }', { ...bearer('some-session'), 'x-request-id': 'ticket-1234-abcd' });
      expect(answer.status).toBe(500);
      expect(answer.json).toEqual({
        errors: [
          {
            message: 'Something went wrong on our side.',
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'ticket-1234-abcd' },
          },
        ],
      });
      expect(answer.text).not.toMatch(/SQLITE/);
      expect(lines.find((l) => l.msg === 'request failed')).toMatchObject({
        level: 'error',
        obj: { requestId: 'ticket-1234-abcd', err: 'SQLITE_IOERR: disk I/O error' },
      });
    } finally {
      await http.close();
      await app.stop();
    }
  });
});
