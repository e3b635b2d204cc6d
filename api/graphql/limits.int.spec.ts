import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteReadModel } from '../../projections/sqlite/sqliteReadModel.js';
import { codesOf, createTestApp, errorOf, type GqlResult, type Manager, type TestApp } from '../testing/harness.js';

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;

/** Nothing of the server's insides in an answer: no stack trace, no exception, no source path. */
function expectNoInternals(result: GqlResult) {
  for (const error of result.errors ?? []) {
    expect(Object.keys(error.extensions ?? {})).not.toContain('stacktrace');
    expect(Object.keys(error.extensions ?? {})).not.toContain('exception');
  }
  expect(JSON.stringify(result.errors ?? [])).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
}

describe('given an office manager of Acme', () => {
  let app: TestApp;
  let acme: Manager;
  // Every spec here is refused before anything is written: one app serves them all.
  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
  });
  afterAll(async () => app.stop());

  it('runs a query nested 8 levels deep, and refuses 9 with GRAPHQL_VALIDATION_FAILED', async () => {
    const eight = `{ users(first: 2) { edges { node { history(first: 2) { edges { node { user { id } } } } } } } }`;
    const nine = `{ users(first: 2) { edges { node { history(first: 2) { edges { node { user { lastEmail { to } } } } } } } } }`;
    expect((await app.gql(eight, {}, acme.token)).errors).toBeUndefined();
    const refused = await app.gql(nine, {}, acme.token);
    expect(errorOf(refused, 'GRAPHQL_VALIDATION_FAILED').message).toBe('A query may nest at most 8 levels.');
    expect(refused.data).toBeUndefined();
  });

  it('counts the depth through fragments too', async () => {
    const nine = `query { users { ...Deep } }
      fragment Deep on UserConnection { edges { node { history { edges { ...Node } } } } }
      fragment Node on AuditEventEdge { node { user { lastEmail { to } } } }`;
    expect(codesOf(await app.gql(nine, {}, acme.token))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('answers 20 aliases, and refuses 21 with GRAPHQL_VALIDATION_FAILED', async () => {
    const twenty = await app.gql(aliases(20), {}, acme.token);
    expect(twenty.errors).toBeUndefined();
    expect(Object.keys(twenty.data!)).toHaveLength(20);
    expect(errorOf(await app.gql(aliases(21), {}, acme.token), 'GRAPHQL_VALIDATION_FAILED').message).toBe(
      'A query may use at most 20 aliases.',
    );
  });

  it('refuses 200 users with 200 history entries each as too expensive', async () => {
    const query = `{ users(first: 200) { edges { node { history(first: 200) { edges { node { id } } } } } } }`;
    const refused = await app.gql(query, {}, acme.token);
    expect(errorOf(refused, 'GRAPHQL_VALIDATION_FAILED').message).toMatch(/asks for too much at once/);
    expect(refused.data).toBeUndefined();
  });

  it('prices page sizes given as variables the same way', async () => {
    const query = `query($n: Int, $m: Int) { users(first: $n) { edges { node { history(first: $m) { edges { node { id } } } } } } }`;
    expect(codesOf(await app.gql(query, { n: 200, m: 200 }, acme.token))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((await app.gql(query, { n: 10, m: 10 }, acme.token)).errors).toBeUndefined();
  });

  it('prices history without first at its default page size of 50, so the same query is refused', async () => {
    const explicit = `{ users(first: 200) { edges { node { history(first: 50) { edges { node { id type } } } } } } }`;
    const implicit = `{ users(first: 200) { edges { node { history { edges { node { id type } } } } } } }`;
    expect(codesOf(await app.gql(explicit, {}, acme.token))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codesOf(await app.gql(implicit, {}, acme.token))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('answers a missing or mistyped variable with BAD_USER_INPUT, not as an internal error', async () => {
    const missing = await app.gql(`query($first: Int!) { users(first: $first) { totalCount } }`, {}, acme.token);
    expect(codesOf(missing)).toEqual(['BAD_USER_INPUT']);
    const mistyped = await app.gql(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input: { extension: 12 } }, acme.token);
    // Apollo's own coercion names each problem in an error of its own
    expect(codesOf(mistyped).length).toBeGreaterThan(0);
    expect(new Set(codesOf(mistyped))).toEqual(new Set(['BAD_USER_INPUT']));
  });

  it('never shows a stack trace or other internals, whatever went wrong', async () => {
    const answers = await Promise.all([
      app.gql(`{ me { id `),
      app.gql(`{ me { nosuchfield } }`, {}, acme.token),
      app.gql(`{ users { edges { node { history { edges { node { user { lastEmail { to } } } } } } } } }`, {}, acme.token),
      app.gql(aliases(21), {}, acme.token),
      app.gql(`{ users(first: 200) { edges { node { history(first: 200) { edges { node { id } } } } } } }`, {}, acme.token),
      app.gql(`query($first: Int!) { users(first: $first) { totalCount } }`, {}, acme.token),
      app.gql(`{ users { totalCount } }`),
      app.gql(`{ user(id: "nope") { id } }`, {}, acme.token),
      app.gql(`{ users(first: 0) { totalCount } }`, {}, acme.token),
      app.gql(`{ users(after: "garbage") { totalCount } }`, {}, acme.token),
      app.gql(`mutation { createUser(input: { name: "", extension: "1", email: "x" }) { id } }`, {}, acme.token),
      app.gql(`mutation { createUser(input: { name: "Dup", extension: "100", email: "d@acme.example" }) { id } }`, {}, acme.token),
      app.gql(`mutation { completeSetup(input: { token: "bad", password: "Harbor-Kite-42", confirmPassword: "Harbor-Kite-42", voicemailPin: "2580" }) { loginName } }`),
      app.gql(`mutation { signIn(loginName: "100@acme", password: "wrong") { token } }`),
      app.gql(`mutation { requestPasswordReset(email: "nope") }`),
      app.gql(`{ auditEvents(filter: { from: "not a date" }) { totalCount } }`, {}, acme.token),
    ]);
    expect(answers.every((a) => (a.errors?.length ?? 0) > 0)).toBe(true);
    for (const answer of answers) expectNoInternals(answer);
  });
});

describe('given a read model that fails with a driver error', () => {
  let app: TestApp;
  let acme: Manager;
  beforeEach(async () => {
    const real = createSqliteReadModel({ path: ':memory:' });
    const broken = {
      ...real,
      users: {
        ...real.users,
        search: async () => {
          throw new Error('SQLITE_CORRUPT: database disk image is malformed (/var/lib/keyturn/read.db)');
        },
      },
    };
    app = await createTestApp({ readModel: broken });
    acme = await app.organization('acme');
  });
  afterEach(async () => app.stop());

  it('answers INTERNAL_SERVER_ERROR in plain words, without the driver message or a stack trace', async () => {
    const result = await app.gql(`{ users { totalCount } }`, {}, acme.token);
    const error = errorOf(result, 'INTERNAL_SERVER_ERROR');
    expect(error.message).toBe('Something went wrong on our side. Please try again.');
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(result)).not.toMatch(/SQLITE|read\.db/);
    expectNoInternals(result);
  });
});
