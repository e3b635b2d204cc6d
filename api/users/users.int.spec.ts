import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  COMPLETE_SETUP,
  CREATE_USER,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  errorOf,
  sendWelcome,
  setupInput,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const HOUR = 3_600_000;

const USERS = `query($search: String, $status: [AccountStatus!], $first: Int, $after: String) {
  users(search: $search, status: $status, first: $first, after: $after) {
    totalCount
    edges { cursor node { name extension status } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('given an office manager of Acme', () => {
  let app: TestApp;
  let acme: Manager;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
  });
  afterEach(async () => app.stop());

  it('creates a USER by default, with login name <extension>@<domain> and a normalised email', async () => {
    const result = await app.gql(
      CREATE_USER,
      { input: { name: '  Ben Okafor ', extension: '101', email: 'Ben@Acme.Example' } },
      acme.token,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.createUser).toMatchObject({
      loginName: '101@acme',
      role: 'USER',
      status: 'NOT_INVITED',
      email: 'ben@acme.example',
    });
    const read = await app.gql(
      `query($id: ID!) { user(id: $id) { name } }`,
      { id: result.data!.createUser.id },
      acme.token,
    );
    expect(read.data?.user.name).toBe('Ben Okafor');
  });

  it('creates an AUDITOR or another OFFICE_MANAGER when asked', async () => {
    const auditor = await app.gql(
      CREATE_USER,
      { input: { name: 'Ada', extension: '102', email: 'ada@acme.example', role: 'AUDITOR' } },
      acme.token,
    );
    const manager = await app.gql(
      CREATE_USER,
      { input: { name: 'Mo', extension: '103', email: 'mo@acme.example', role: 'OFFICE_MANAGER' } },
      acme.token,
    );
    expect(auditor.data?.createUser.role).toBe('AUDITOR');
    expect(manager.data?.createUser.role).toBe('OFFICE_MANAGER');
  });

  it('creates nothing when the input is refused: the extension stays free', async () => {
    await app.gql(CREATE_USER, { input: { name: '', extension: '101', email: 'ben@acme.example' } }, acme.token);
    const again = await app.gql(
      CREATE_USER,
      { input: { name: 'Ben', extension: '101', email: 'ben@acme.example' } },
      acme.token,
    );
    expect(again.errors).toBeUndefined();
  });

  it('answers CONFLICT for an extension already taken in the organization, the manager’s own included', async () => {
    await createUser(app, acme.token, { name: 'Ben', extension: '101', email: 'ben@acme.example' });
    const taken = await app.gql(
      CREATE_USER,
      { input: { name: 'Other Ben', extension: '101', email: 'b2@acme.example' } },
      acme.token,
    );
    expect(errorOf(taken, 'CONFLICT').message).toContain('101');
    expect(
      codesOf(
        await app.gql(CREATE_USER, { input: { name: 'X', extension: '100', email: 'x@acme.example' } }, acme.token),
      ),
    ).toEqual(['CONFLICT']);
  });

  it('lets exactly one of two simultaneous creates with the same extension win', async () => {
    const input = (name: string) => ({ input: { name, extension: '150', email: `${name}@acme.example` } });
    const results = await Promise.all([
      app.gql(CREATE_USER, input('first'), acme.token),
      app.gql(CREATE_USER, input('second'), acme.token),
    ]);
    expect(results.map(codesOf).flat()).toEqual(['CONFLICT']);
    expect((await app.gql(USERS, { search: '150' }, acme.token)).data?.users.totalCount).toBe(1);
  });

  it('allows the same extension in another organization, and two users to share an email', async () => {
    const globex = await app.organization('globex');
    await createUser(app, acme.token, { name: 'Ben', extension: '101', email: 'shared@example.com' });
    const sameEmail = await app.gql(
      CREATE_USER,
      { input: { name: 'Bea', extension: '102', email: 'shared@example.com' } },
      acme.token,
    );
    const sameExtension = await app.gql(
      CREATE_USER,
      { input: { name: 'Gus', extension: '101', email: 'gus@globex.example' } },
      globex.token,
    );
    expect(sameEmail.errors).toBeUndefined();
    expect(sameExtension.data?.createUser.loginName).toBe('101@globex');
  });
});

describe('given an office manager of Acme, and input that breaks the rules', () => {
  let app: TestApp;
  let acme: Manager;
  // Refused input writes nothing: one app serves every spec here.
  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
  });
  afterAll(async () => app.stop());

  it('names every broken field in words, in one BAD_USER_INPUT answer', async () => {
    const result = await app.gql(CREATE_USER, { input: { name: '', extension: '1', email: 'nope' } }, acme.token);
    expect(badFieldsOf(result)).toEqual(['email', 'extension', 'name']);
    const fields = result.errors![0]!.extensions!.fields as Record<string, string[]>;
    expect(fields.name).toEqual(['Enter a name of 1 to 100 characters.']);
    expect(fields.extension).toEqual(['An extension is 2 to 10 digits.']);
    expect(fields.email).toEqual(['Enter an email address like name@example.com.']);
  });

  it.each([
    ['a letter in the extension', { extension: '12a' }, ['extension']],
    ['an 11-digit extension', { extension: '12345678901' }, ['extension']],
    ['a name of spaces only', { name: '   ' }, ['name']],
    ['a name of 101 characters', { name: 'x'.repeat(101) }, ['name']],
    ['an email without a domain dot', { email: 'ben@acme' }, ['email']],
  ])('refuses %s with BAD_USER_INPUT naming that field', async (_what, change, fields) => {
    const input = { name: 'Ben', extension: '101', email: 'ben@acme.example', ...change };
    expect(badFieldsOf(await app.gql(CREATE_USER, { input }, acme.token))).toEqual(fields);
  });
});

describe('given Acme with Ben Okafor 101, Reuben Stone 102, Anna Benson 110, Zoe 50% Sales 210, Zed_Under 211 and the manager 100', () => {
  let app: TestApp;
  let acme: Manager;
  const ids: Record<string, string> = {};
  const names = (result: { data?: any }) => result.data?.users.edges.map((e: any) => e.node.name);

  // Searches and pages only read: one starting state for the whole group.
  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    for (const [name, extension] of [
      ['Ben Okafor', '101'],
      ['Reuben Stone', '102'],
      ['Anna Benson', '110'],
      ['Zoe 50% Sales', '210'],
      ['Zed_Under', '211'],
    ] as const) {
      ids[name] = (await createUser(app, acme.token, { name, extension, email: `u${extension}@acme.example` })).id;
    }
  });
  afterAll(async () => app.stop());

  it('finds names by any part, in any case', async () => {
    expect(names(await app.gql(USERS, { search: 'BEN' }, acme.token))).toEqual([
      'Anna Benson',
      'Ben Okafor',
      'Reuben Stone',
    ]);
    expect(names(await app.gql(USERS, { search: 'stone' }, acme.token))).toEqual(['Reuben Stone']);
  });

  it('finds extensions by prefix only', async () => {
    expect(names(await app.gql(USERS, { search: '10' }, acme.token))).toEqual([
      'acme Manager',
      'Ben Okafor',
      'Reuben Stone',
    ]);
    expect(names(await app.gql(USERS, { search: '01' }, acme.token))).toEqual([]);
    expect(names(await app.gql(USERS, { search: ' 21 ' }, acme.token))).toEqual(['Zed_Under', 'Zoe 50% Sales']);
  });

  it('takes % and _ literally, never as a pattern', async () => {
    expect(names(await app.gql(USERS, { search: '%' }, acme.token))).toEqual(['Zoe 50% Sales']);
    expect(names(await app.gql(USERS, { search: '_' }, acme.token))).toEqual(['Zed_Under']);
    expect(names(await app.gql(USERS, { search: 'B%n' }, acme.token))).toEqual([]);
    expect(names(await app.gql(USERS, { search: '.*' }, acme.token))).toEqual([]);
  });

  it('refuses a search of more than 100 characters with BAD_USER_INPUT', async () => {
    expect(badFieldsOf(await app.gql(USERS, { search: 'x'.repeat(101) }, acme.token))).toEqual(['search']);
  });

  it('pages in name order with totalCount, endCursor and hasNextPage', async () => {
    const first = await app.gql(USERS, { first: 4 }, acme.token);
    expect(first.data?.users.totalCount).toBe(6);
    expect(names(first)).toEqual(['acme Manager', 'Anna Benson', 'Ben Okafor', 'Reuben Stone']);
    expect(first.data?.users.pageInfo.hasNextPage).toBe(true);
    const endCursor = first.data?.users.pageInfo.endCursor;
    expect(endCursor).toBe(first.data?.users.edges[3].cursor);

    const second = await app.gql(USERS, { first: 4, after: endCursor }, acme.token);
    expect(second.data?.users.totalCount).toBe(6);
    expect(names(second)).toEqual(['Zed_Under', 'Zoe 50% Sales']);
    expect(second.data?.users.pageInfo.hasNextPage).toBe(false);

    const past = await app.gql(USERS, { first: 4, after: second.data?.users.pageInfo.endCursor }, acme.token);
    expect(past.data?.users).toMatchObject({
      totalCount: 6,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it('pages within a search', async () => {
    const first = await app.gql(USERS, { search: 'ben', first: 2 }, acme.token);
    expect(first.data?.users).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const second = await app.gql(
      USERS,
      { search: 'ben', first: 2, after: first.data?.users.pageInfo.endCursor },
      acme.token,
    );
    expect(names(second)).toEqual(['Reuben Stone']);
  });

  it.each([0, -1, 201, 1000])('refuses first: %i with BAD_USER_INPUT', async (first) => {
    // a selection cheap enough that the cost limit lets even first: 1000 reach the resolver
    const count = `query($first: Int) { users(first: $first) { totalCount } }`;
    expect(badFieldsOf(await app.gql(count, { first }, acme.token))).toEqual(['first']);
  });

  it('refuses a cursor it did not hand out with BAD_USER_INPUT', async () => {
    expect(badFieldsOf(await app.gql(USERS, { after: 'not-a-cursor' }, acme.token))).toEqual(['after']);
  });
});

describe('given users in every state: active manager, invited, invited long ago, never invited', () => {
  let app: TestApp;
  let acme: Manager;
  beforeEach(async () => {
    // sessions outlive the clock moves below
    app = await createTestApp({ sessionTtlMs: 7 * 24 * HOUR });
    acme = await app.organization('acme');
    const old = await createUser(app, acme.token, { name: 'Olga Old', extension: '101', email: 'olga@acme.example' });
    await sendWelcome(app, acme.token, old.id);
    app.clock.advance(24 * HOUR + 1);
    const fresh = await createUser(app, acme.token, { name: 'Fay Fresh', extension: '102', email: 'fay@acme.example' });
    await sendWelcome(app, acme.token, fresh.id);
    await createUser(app, acme.token, { name: 'Nate Never', extension: '103', email: 'nate@acme.example' });
  });
  afterEach(async () => app.stop());

  const byStatus = async (status: string[]) =>
    (await app.gql(USERS, { status }, acme.token)).data?.users.edges.map((e: any) => e.node.name);

  it('filters by status, INVITE_EXPIRED included once a link is older than 24 hours', async () => {
    expect(await byStatus(['ACTIVE'])).toEqual(['acme Manager']);
    expect(await byStatus(['INVITED'])).toEqual(['Fay Fresh']);
    expect(await byStatus(['INVITE_EXPIRED'])).toEqual(['Olga Old']);
    expect(await byStatus(['NOT_INVITED'])).toEqual(['Nate Never']);
    expect(await byStatus(['INVITED', 'INVITE_EXPIRED'])).toEqual(['Fay Fresh', 'Olga Old']);
    expect(await byStatus([])).toHaveLength(4);
  });

  it('shows the same status on the user as the filter uses, and moves with the clock', async () => {
    const result = await app.gql(USERS, { search: 'fay' }, acme.token);
    expect(result.data?.users.edges[0].node.status).toBe('INVITED');
    app.clock.advance(24 * HOUR);
    expect((await app.gql(USERS, { search: 'fay' }, acme.token)).data?.users.edges[0].node.status).toBe(
      'INVITE_EXPIRED',
    );
    expect(await byStatus(['INVITE_EXPIRED'])).toEqual(['Fay Fresh', 'Olga Old']);
  });

  it('counts a user as ACTIVE, not INVITED, once they completed setup', async () => {
    const { id } = await createUser(app, acme.token, { name: 'Ivy', extension: '104', email: 'ivy@acme.example' });
    const { token } = await sendWelcome(app, acme.token, id);
    expect((await app.gql(COMPLETE_SETUP, { input: setupInput(token) })).errors).toBeUndefined();
    expect(await byStatus(['ACTIVE'])).toEqual(['acme Manager', 'Ivy']);
  });
});
