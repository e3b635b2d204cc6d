import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteReadModel } from '../../projections/sqlite/sqliteReadModel.js';
import { codesOf, createTestApp, errorOf, type GqlResult, type Manager, type TestApp } from '../testing/harness.js';

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
const operations = (n: number) => Array.from({ length: n }, (_, i) => `query Q${i} { __typename }`).join(' ');

/** Runs with an `operationName`, which `app.gql` does not send. */
async function named(app: TestApp, query: string, operationName?: string): Promise<GqlResult> {
  const response = await app.keyturn.graphql.executeOperation(
    { query, operationName },
    { contextValue: await app.keyturn.contextFor(undefined) },
  );
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  return response.body.singleResult as GqlResult;
}

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

  it('stops parsing past 2,000 tokens, whatever the document holds', async () => {
    // `{ users ( first : 1 status : [` … `] ) { totalCount } }` is 15 tokens around the list (commas are none)
    const statuses = (n: number) => `{ users(first: 1, status: [${'ACTIVE '.repeat(n)}]) { totalCount } }`;
    expect((await app.gql(statuses(1985), {}, acme.token)).errors).toBeUndefined();
    const over = await app.gql(statuses(1986), {}, acme.token);
    expect(errorOf(over, 'GRAPHQL_PARSE_FAILED').message).toBe(
      'Syntax Error: Document contains more that 2000 tokens. Parsing aborted.',
    );
  });

  it('answers one operation without a name, and up to 5 when operationName picks one', async () => {
    expect((await named(app, operations(1))).errors).toBeUndefined();
    expect((await named(app, operations(5), 'Q4')).data).toEqual({ __typename: 'Query' });
  });

  it('refuses several operations without operationName, and more than 5 in any case, with BAD_REQUEST', async () => {
    expect(errorOf(await named(app, operations(2)), 'BAD_REQUEST').message).toBe(
      'This request holds 2 operations: name the one to run in operationName.',
    );
    expect(errorOf(await named(app, operations(6), 'Q0'), 'BAD_REQUEST').message).toBe(
      'A request may hold at most 5 operations; send them one at a time.',
    );
  });

  it('refuses a subscription, which this schema has none of, as BAD_REQUEST rather than an internal error', async () => {
    expect(errorOf(await app.gql('subscription { events }'), 'BAD_REQUEST').message).toBe(
      'This service has no subscription operations.',
    );
  });

  it('refuses more than 50 fragments, and more than 20 directives', async () => {
    const fragments = (n: number) =>
      `{ ...F0 } ${Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ${i + 1 < n ? `...F${i + 1}` : '__typename'} }`).join(' ')}`;
    expect((await app.gql(fragments(50))).errors).toBeUndefined();
    expect(errorOf(await app.gql(fragments(51)), 'GRAPHQL_VALIDATION_FAILED').message).toBe(
      'A query may define at most 50 fragments.',
    );
    const directives = (n: number) =>
      `query($t: Boolean = true) { ${Array.from({ length: n }, (_, i) => `a${i}: __typename @include(if: $t)`).join(' ')} }`;
    expect((await app.gql(directives(20))).errors).toBeUndefined();
    expect(errorOf(await app.gql(directives(21)), 'GRAPHQL_VALIDATION_FAILED').message).toBe(
      'A query may use at most 20 directives.',
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

  it('prices one document text anew for each set of variables, and refuses it again when sent again', async () => {
    const query = `query($n: Int) { users(first: $n) { edges { node { history(first: 200) { edges { node { id } } } } } } }`;
    for (const n of [1, 200, 1, 200]) {
      const answer = await app.gql(query, { n }, acme.token);
      expect(codesOf(answer)).toEqual(n === 1 ? [] : ['GRAPHQL_VALIDATION_FAILED']);
    }
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
    const mistyped = await app.gql(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { extension: 12 } },
      acme.token,
    );
    // Apollo's own coercion names each problem in an error of its own
    expect(codesOf(mistyped).length).toBeGreaterThan(0);
    expect(new Set(codesOf(mistyped))).toEqual(new Set(['BAD_USER_INPUT']));
  });

  it('never shows a stack trace or other internals, whatever went wrong', async () => {
    const answers = await Promise.all([
      app.gql(`{ me { id `),
      app.gql(`{ me { nosuchfield } }`, {}, acme.token),
      app.gql(
        `{ users { edges { node { history { edges { node { user { lastEmail { to } } } } } } } } }`,
        {},
        acme.token,
      ),
      app.gql(aliases(21), {}, acme.token),
      app.gql(
        `{ users(first: 200) { edges { node { history(first: 200) { edges { node { id } } } } } } }`,
        {},
        acme.token,
      ),
      app.gql(`query($first: Int!) { users(first: $first) { totalCount } }`, {}, acme.token),
      app.gql(`{ users { totalCount } }`),
      app.gql(`{ user(id: "nope") { id } }`, {}, acme.token),
      app.gql(`{ users(first: 0) { totalCount } }`, {}, acme.token),
      app.gql(`{ users(after: "garbage") { totalCount } }`, {}, acme.token),
      app.gql(`mutation { createUser(input: { name: "", extension: "1", email: "x" }) { id } }`, {}, acme.token),
      app.gql(
        `mutation { createUser(input: { name: "Dup", extension: "100", email: "d@acme.example" }) { id } }`,
        {},
        acme.token,
      ),
      app.gql(
        `mutation { completeSetup(input: { token: "bad", password: "Harbor-Kite-42", confirmPassword: "Harbor-Kite-42", voicemailPin: "2580" }) { loginName } }`,
      ),
      app.gql(`mutation { signIn(loginName: "100@acme", password: "wrong") { token } }`),
      app.gql(`mutation { requestPasswordReset(email: "nope") }`),
      app.gql(`{ auditEvents(filter: { from: "not a date" }) { totalCount } }`, {}, acme.token),
    ]);
    expect(answers.every((a) => (a.errors?.length ?? 0) > 0)).toBe(true);
    for (const answer of answers) expectNoInternals(answer);
  });
});

describe('given the service in production (introspection off)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ introspection: false });
  });
  afterAll(async () => app.stop());

  it('names no field, argument, type or enum value the caller did not write ("Did you mean …")', async () => {
    const answers = await Promise.all([
      app.gql(`{ mee { id } }`),
      app.gql(`query($i: CreateUserInput!) { __typename }`),
      app.gql(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
        input: { nme: 'Ada', extension: '101', email: 'ada@acme.example' },
      }),
      app.gql(
        `mutation { createUser(input: { name: "Ada", extension: "101", email: "a@acme.example", role: USR }) { id } }`,
      ),
    ]);
    for (const answer of answers) expect(answer.errors?.length).toBeGreaterThan(0);
    const messages = answers.flatMap((a) => a.errors!.map((e) => e.message));
    expect(messages.join('\n')).not.toMatch(/Did you mean/);
    expect(messages[0]).toBe('Cannot query field "mee" on type "Query".');
  });
});

describe('given the service in development (introspection on)', () => {
  it('keeps the suggestions, which help whoever writes a query', async () => {
    const app = await createTestApp();
    try {
      expect((await app.gql(`{ mee { id } }`)).errors?.[0]?.message).toMatch(/Did you mean "me"\?/);
    } finally {
      await app.stop();
    }
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
    // the id of the request, which the log line of the fault carries too
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) });
    expect(JSON.stringify(result)).not.toMatch(/SQLITE|read\.db/);
    expectNoInternals(result);
  });
});
