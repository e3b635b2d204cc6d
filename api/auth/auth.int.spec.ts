import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GOOD_PASSWORD,
  activeUser,
  codesOf,
  createTestApp,
  createUser,
  errorOf,
  type Manager,
  type TestApp,
} from '../testing/harness.js';
import { createArgon2Hasher, type SecretHasher } from '../../core/crypto/secrets.js';

const ME = `{ me { id name role } }`;
const USERS = `{ users { totalCount edges { node { id name } } } }`;
const USER = `query($id: ID!) { user(id: $id) { id name } }`;
const AUDIT = `{ auditEvents(first: 5) { totalCount } }`;
const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const WELCOME = `mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }`;
const CHANGE_EMAIL = `mutation($id: ID!, $email: String!) { changeDesignatedEmail(userId: $id, email: $email) { id } }`;
const ADD_SECOND = `mutation($id: ID!, $email: String!) { addSecondaryEmail(userId: $id, email: $email) { id } }`;
const SIGN_IN = `mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token user { loginName } } }`;
const SIGN_OUT = `mutation { signOut }`;

const someone = { name: 'Dana Reyes', extension: '150', email: 'dana@acme.example' };

describe('given Acme with an office manager, a user and an auditor, and Globex with a user of its own', () => {
  let app: TestApp;
  let acme: Manager;
  let user: { id: string; token: string };
  let auditor: { id: string; token: string };
  let colleague: { id: string };
  let globexUser: { id: string };

  // Every spec here only reads or is refused: one starting state serves them all.
  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    user = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    auditor = await activeUser(app, acme.token, {
      name: 'Ada Audit',
      extension: '102',
      email: 'ada@acme.example',
      role: 'AUDITOR',
    });
    colleague = await createUser(app, acme.token, {
      name: 'Carla Colleague',
      extension: '103',
      email: 'carla@acme.example',
    });
    const globex = await app.organization('globex');
    globexUser = await createUser(app, globex.token, {
      name: 'Gus Globex',
      extension: '101',
      email: 'gus@globex.example',
    });
  });
  afterAll(async () => app.stop());

  it('answers users, me and createUser with UNAUTHENTICATED to someone not signed in', async () => {
    expect(codesOf(await app.gql(USERS))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await app.gql(ME))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await app.gql(CREATE, { input: someone }))).toEqual(['UNAUTHENTICATED']);
  });

  it('treats an unknown or malformed token as not signed in', async () => {
    expect(codesOf(await app.gql(ME, {}, 'not-a-session'))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await app.gql(ME, {}, 'x'.repeat(500)))).toEqual(['UNAUTHENTICATED']);
  });

  it('forbids a USER to list users or to create one', async () => {
    expect(codesOf(await app.gql(USERS, {}, user.token))).toEqual(['FORBIDDEN']);
    expect(codesOf(await app.gql(CREATE, { input: someone }, user.token))).toEqual(['FORBIDDEN']);
  });

  it('lets an AUDITOR read users and the audit log, but not create users or send welcome emails', async () => {
    const users = await app.gql(USERS, {}, auditor.token);
    expect(users.errors).toBeUndefined();
    expect(users.data?.users.totalCount).toBe(4);
    const audit = await app.gql(AUDIT, {}, auditor.token);
    expect(audit.errors).toBeUndefined();
    expect(audit.data?.auditEvents.totalCount).toBeGreaterThan(0);
    expect(codesOf(await app.gql(CREATE, { input: someone }, auditor.token))).toEqual(['FORBIDDEN']);
    expect(codesOf(await app.gql(WELCOME, { id: colleague.id }, auditor.token))).toEqual(['FORBIDDEN']);
  });

  it("answers NOT_FOUND for another organization's user, whatever the operation", async () => {
    const id = globexUser.id;
    expect(errorOf(await app.gql(USER, { id }, acme.token), 'NOT_FOUND').message).toBe('No such user.');
    expect(errorOf(await app.gql(WELCOME, { id }, acme.token), 'NOT_FOUND').message).toBe('No such user.');
    expect(codesOf(await app.gql(CHANGE_EMAIL, { id, email: 'x@acme.example' }, acme.token))).toEqual(['NOT_FOUND']);
    expect(codesOf(await app.gql(ADD_SECOND, { id, email: 'x@acme.example' }, acme.token))).toEqual(['NOT_FOUND']);
  });

  it('answers NOT_FOUND the same way for an id that exists nowhere', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect(errorOf(await app.gql(USER, { id }, acme.token), 'NOT_FOUND').message).toBe('No such user.');
    expect(errorOf(await app.gql(WELCOME, { id }, acme.token), 'NOT_FOUND').message).toBe('No such user.');
  });

  it("never lists another organization's users, not even when searched for", async () => {
    const all = await app.gql(USERS, {}, acme.token);
    expect(all.data?.users.edges.map((e: any) => e.node.id)).not.toContain(globexUser.id);
    const searched = await app.gql(`{ users(search: "gus") { totalCount } }`, {}, acme.token);
    expect(searched.data?.users.totalCount).toBe(0);
  });

  it("lets a USER read me and their own user(id), and answers NOT_FOUND for anyone else's", async () => {
    expect((await app.gql(ME, {}, user.token)).data?.me).toEqual({ id: user.id, name: 'Ben Okafor', role: 'USER' });
    expect((await app.gql(USER, { id: user.id }, user.token)).data?.user).toEqual({ id: user.id, name: 'Ben Okafor' });
    expect(codesOf(await app.gql(USER, { id: colleague.id }, user.token))).toEqual(['NOT_FOUND']);
    expect(codesOf(await app.gql(USER, { id: acme.managerId }, user.token))).toEqual(['NOT_FOUND']);
  });

  it("does not show a USER someone else's account as the actor of their own history", async () => {
    const result = await app.gql(
      `{ me { history { edges { node { type actorName actor { id email } } } } } }`,
      {},
      user.token,
    );
    const opened = result.data?.me.history.edges.find((e: any) => e.node.type === 'AccountOpened');
    expect(opened.node.actorName).toBe('acme Manager');
    expect(opened.node.actor).toBeNull();
  });
});

describe('given a user who completed setup, and sign-in locked after 3 failures', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; loginName: string; token: string };
  let n = 0;
  // One organization for the group; every spec gets its own Ben (own login name, own failure count).
  beforeAll(async () => {
    app = await createTestApp({ rateLimits: { signInFailures: 3 } });
    acme = await app.organization('acme');
  });
  afterAll(async () => app.stop());
  beforeEach(async () => {
    n += 1;
    ben = await activeUser(app, acme.token, {
      name: 'Ben Okafor',
      extension: String(200 + n),
      email: `ben${n}@acme.example`,
    });
  });

  it('signs in with the right password, however the login name is spelled, and tells who signed in', async () => {
    const result = await app.gql(SIGN_IN, { l: ` ${ben.loginName.toUpperCase()} `, p: GOOD_PASSWORD });
    expect(result.errors).toBeUndefined();
    expect(result.data?.signIn.user).toEqual({ loginName: ben.loginName });
  });

  it('gives a wrong password, an unknown login name and a not-yet-set-up account the same INVALID_CREDENTIALS answer', async () => {
    const nia = await createUser(app, acme.token, {
      name: 'Nia New',
      extension: String(600 + n),
      email: `nia${n}@acme.example`,
    });
    const wrongPassword = errorOf(
      await app.gql(SIGN_IN, { l: ben.loginName, p: 'Not-The-Password-1' }),
      'INVALID_CREDENTIALS',
    );
    const unknownName = errorOf(await app.gql(SIGN_IN, { l: '999@acme', p: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
    const unknownOrg = errorOf(await app.gql(SIGN_IN, { l: '101@nowhere', p: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
    const notSetUp = errorOf(await app.gql(SIGN_IN, { l: nia.loginName, p: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
    const malformed = errorOf(await app.gql(SIGN_IN, { l: 'ben', p: GOOD_PASSWORD }), 'INVALID_CREDENTIALS');
    expect(new Set([wrongPassword, unknownName, unknownOrg, notSetUp, malformed].map((e) => e.message)).size).toBe(1);
  });

  it('answers RATE_LIMITED after 3 failures, even for the right password, however the name is spelled', async () => {
    for (let i = 0; i < 3; i++) {
      expect(codesOf(await app.gql(SIGN_IN, { l: ben.loginName, p: `Wrong-Guess-${i}` }))).toEqual([
        'INVALID_CREDENTIALS',
      ]);
    }
    expect(codesOf(await app.gql(SIGN_IN, { l: ben.loginName, p: GOOD_PASSWORD }))).toEqual(['RATE_LIMITED']);
    expect(codesOf(await app.gql(SIGN_IN, { l: ben.loginName.toUpperCase(), p: GOOD_PASSWORD }))).toEqual([
      'RATE_LIMITED',
    ]);
    // the lock is per login name: the office manager still signs in
    await expect(app.signIn(acme.loginName)).resolves.toBeTypeOf('string');
  });

  it('tells when to retry, and lets the owner sign in from another address meanwhile', async () => {
    for (let i = 0; i < 3; i++)
      await app.gql(SIGN_IN, { l: ben.loginName, p: `Wrong-Guess-${i}` }, undefined, '203.0.113.66');
    const refused = errorOf(
      await app.gql(SIGN_IN, { l: ben.loginName, p: GOOD_PASSWORD }, undefined, '203.0.113.66'),
      'RATE_LIMITED',
    );
    expect(refused.extensions?.retryAfterSeconds).toBe(60);
    expect(refused.message).toMatch(/try again in 60 seconds/);
    const owner = await app.gql(SIGN_IN, { l: ben.loginName, p: GOOD_PASSWORD }, undefined, '198.51.100.7');
    expect(owner.errors).toBeUndefined();
  });

  it('counts failures for unknown login names too', async () => {
    for (let i = 0; i < 3; i++) await app.gql(SIGN_IN, { l: '555@acme', p: `Guess-${i}` });
    expect(codesOf(await app.gql(SIGN_IN, { l: '555@acme', p: GOOD_PASSWORD }))).toEqual(['RATE_LIMITED']);
  });

  it('ends the session on signOut: the token then counts as not signed in, other sessions go on', async () => {
    const other = await app.signIn(ben.loginName);
    const out = await app.gql(SIGN_OUT, {}, ben.token);
    expect(out.data?.signOut).toBe(true);
    expect(codesOf(await app.gql(ME, {}, ben.token))).toEqual(['UNAUTHENTICATED']);
    expect((await app.gql(ME, {}, other)).data?.me.id).toBe(ben.id);
  });

  it('answers signOut without a session with UNAUTHENTICATED', async () => {
    expect(codesOf(await app.gql(SIGN_OUT))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('given an office manager who signed in at 09:00', () => {
  let app: TestApp;
  let acme: Manager;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
  });
  afterEach(async () => app.stop());

  it('ends the session once its 12 hours are over', async () => {
    app.clock.advance(12 * 3_600_000 - 1);
    expect((await app.gql(ME, {}, acme.token)).data?.me.id).toBe(acme.managerId);
    app.clock.advance(1);
    expect(codesOf(await app.gql(ME, {}, acme.token))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('given a user who completed setup, and 40 concurrent wrong sign-ins from one address', () => {
  let app: TestApp;
  let checks = 0;
  beforeAll(async () => {
    const hasher = createArgon2Hasher();
    // Counts every password check, real or the equal-time dummy one for unknown names.
    const counting: SecretHasher = {
      hash: (secret) => hasher.hash(secret),
      verify: (hash, secret) => ((checks += 1), hasher.verify(hash, secret)),
      dummyVerify: (secret) => ((checks += 1), hasher.dummyVerify(secret)),
    };
    app = await createTestApp({ hasher: counting });
  });
  afterAll(async () => app.stop());

  it('checks at most 5 of them, the right password among them too, and the owner still signs in from elsewhere', async () => {
    const acme = await app.organization('acme');
    const ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    checks = 0;
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 20 ? GOOD_PASSWORD : `Wrong-Guess-${i}`));
    const answers = await Promise.all(
      guesses.map((p) => app.gql(SIGN_IN, { l: ben.loginName, p }, undefined, '203.0.113.66')),
    );
    expect(checks).toBeLessThanOrEqual(5);
    const codes = answers.map((a) => codesOf(a)[0] ?? 'OK');
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(35);
    for (const answer of answers.filter((a) => codesOf(a)[0] === 'RATE_LIMITED')) {
      expect(errorOf(answer, 'RATE_LIMITED').extensions?.retryAfterSeconds).toBeGreaterThan(0);
    }
    const owner = await app.gql(SIGN_IN, { l: ben.loginName, p: GOOD_PASSWORD }, undefined, '198.51.100.7');
    expect(owner.errors).toBeUndefined();
  });
});
