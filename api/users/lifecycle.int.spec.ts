import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GOOD_PASSWORD,
  activeUser,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  errorOf,
  eventsOf,
  sendWelcome,
  settled,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(userId: $id, input: $input) { name role } }`;
const CHANGE_EXTENSION = `mutation($id: ID!, $ext: String!) { changeExtension(userId: $id, extension: $ext) { extension loginName } }`;
const DEACTIVATE = `mutation($id: ID!) { deactivateUser(userId: $id) { status deactivatedAt } }`;
const REACTIVATE = `mutation($id: ID!) { reactivateUser(userId: $id) { status } }`;
const DEACTIVATE_MANY = `mutation($ids: [ID!], $all: UserFilter) { deactivateUsers(userIds: $ids, allMatching: $all) { done skipped { userId reason } } }`;
const ERASE = `mutation($id: ID!, $name: String!) { eraseUser(userId: $id, confirmName: $name) }`;
const SIGN_OUT_EVERYWHERE = `mutation($id: ID!) { signOutEverywhere(userId: $id) }`;
const USER = `query($id: ID!) { user(id: $id) { name email secondaryEmail extension loginName status erased } }`;
const ME = `{ me { id } }`;
const SIGN_IN = `mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }`;
const USERS_BY_STATUS = `query($status: [AccountStatus!]) { users(status: $status) { totalCount edges { node { name status } } } }`;

describe('given Acme with its office manager and Ben, an active user', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; loginName: string; token: string };
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
  });
  afterEach(async () => app.stop());

  it('renames Ben and changes his role, recording who did it', async () => {
    const result = await app.gql(
      UPDATE,
      { id: ben.id, input: { name: ' Ben Okafor-Lee ', role: 'AUDITOR' } },
      acme.token,
    );
    expect(result.data?.updateUser).toEqual({ name: 'Ben Okafor-Lee', role: 'AUDITOR' });
    expect((await eventsOf(app, ben.id, 'RoleChanged'))[0]!.data).toEqual({
      role: 'AUDITOR',
      previousRole: 'USER',
      by: acme.managerId,
    });
  });

  it('applies a role change to Ben’s open session at once', async () => {
    await app.gql(UPDATE, { id: ben.id, input: { role: 'OFFICE_MANAGER' } }, acme.token);
    const asManager = await app.gql(USERS_BY_STATUS, {}, ben.token);
    expect(asManager.errors).toBeUndefined();
  });

  it('refuses to demote or deactivate the last active office manager, saying why', async () => {
    const demote = await app.gql(UPDATE, { id: acme.managerId, input: { role: 'USER' } }, acme.token);
    expect(errorOf(demote, 'CONFLICT').message).toMatch(/last active office manager/);
    // Once Ben is a manager too, the first can step down.
    await app.gql(UPDATE, { id: ben.id, input: { role: 'OFFICE_MANAGER' } }, acme.token);
    const deactivateFirst = await app.gql(DEACTIVATE, { id: acme.managerId }, ben.token);
    expect(deactivateFirst.data?.deactivateUser.status).toBe('DEACTIVATED');
    expect(
      errorOf(await app.gql(UPDATE, { id: ben.id, input: { role: 'USER' } }, ben.token), 'CONFLICT').message,
    ).toMatch(/last active/);
  });

  it('answers field errors for a bad name, FORBIDDEN to a user, NOT_FOUND across organizations', async () => {
    expect(badFieldsOf(await app.gql(UPDATE, { id: ben.id, input: { name: '' } }, acme.token))).toEqual(['name']);
    expect(codesOf(await app.gql(UPDATE, { id: acme.managerId, input: { name: 'X' } }, ben.token))).toEqual([
      'FORBIDDEN',
    ]);
    const globex = await app.organization('globex');
    expect(codesOf(await app.gql(UPDATE, { id: ben.id, input: { name: 'X' } }, globex.token))).toEqual(['NOT_FOUND']);
  });

  it('moves Ben to extension 141: the new login name signs in, the old one does not, his session goes on', async () => {
    const moved = await app.gql(CHANGE_EXTENSION, { id: ben.id, ext: '141' }, acme.token);
    expect(moved.data?.changeExtension).toEqual({ extension: '141', loginName: '141@acme' });
    expect(codesOf(await app.gql(SIGN_IN, { l: '101@acme', p: GOOD_PASSWORD }))).toEqual(['INVALID_CREDENTIALS']);
    expect((await app.gql(SIGN_IN, { l: '141@acme', p: GOOD_PASSWORD })).data?.signIn.token).toBeTruthy();
    expect((await app.gql(ME, {}, ben.token)).data?.me.id).toBe(ben.id);
    const notice = await app.waitForEmail((m) => m.kind === 'extension-changed' && m.metadata.accountId === ben.id);
    expect(notice.text).toContain('141@acme');
  });

  it('lets another user take Ben’s old extension after the move, and refuses a taken one changing nothing', async () => {
    await createUser(app, acme.token, { name: 'Cy', extension: '150', email: 'cy@acme.example' });
    expect(
      errorOf(await app.gql(CHANGE_EXTENSION, { id: ben.id, ext: '150' }, acme.token), 'CONFLICT').message,
    ).toContain('150');
    expect((await app.gql(USER, { id: ben.id }, acme.token)).data?.user.extension).toBe('101');
    await app.gql(CHANGE_EXTENSION, { id: ben.id, ext: '141' }, acme.token);
    const taker = await createUser(app, acme.token, { name: 'Dee', extension: '101', email: 'dee@acme.example' });
    expect(taker.loginName).toBe('101@acme');
  });

  it('names the new login name, not the old one, when Ben asks for his login name after the move', async () => {
    await app.gql(CHANGE_EXTENSION, { id: ben.id, ext: '141' }, acme.token);
    await app.gql(`mutation { requestLoginName(email: "ben@acme.example") }`);
    await app.keyturn.services.background.idle();
    const email = await app.waitForEmail((m) => m.kind === 'login-name' && m.to.includes('ben@acme.example'));
    expect(email.text).toContain('141@acme');
    expect(email.text).not.toContain('101@acme');
  });

  it('refuses an extension that breaks the rules', async () => {
    expect(badFieldsOf(await app.gql(CHANGE_EXTENSION, { id: ben.id, ext: '1' }, acme.token))).toEqual(['extension']);
  });

  it('deactivates Ben: his session stops at once, sign-in is refused like a wrong password, recovery sends nothing', async () => {
    expect((await app.gql(DEACTIVATE, { id: ben.id }, acme.token)).data?.deactivateUser.status).toBe('DEACTIVATED');
    expect(codesOf(await app.gql(ME, {}, ben.token))).toEqual(['UNAUTHENTICATED']);
    const signIn = await app.gql(SIGN_IN, { l: ben.loginName, p: GOOD_PASSWORD });
    const wrong = await app.gql(SIGN_IN, { l: ben.loginName, p: 'Wrong-Password-1' });
    expect(signIn.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
    expect(codesOf(signIn)).toEqual(['INVALID_CREDENTIALS']);
    const before = app.outbox().length;
    expect((await app.gql(`mutation { requestPasswordReset(email: "ben@acme.example") }`)).data).toEqual({
      requestPasswordReset: true,
    });
    expect((await app.gql(`mutation { requestLoginName(email: "ben@acme.example") }`)).data).toEqual({
      requestLoginName: true,
    });
    await settled(app);
    expect(app.outbox().length).toBe(before);
    expect(await eventsOf(app, ben.id, 'ResetRequested')).toHaveLength(0);
  });

  it('lists Ben under DEACTIVATED, then ACTIVE again once reactivated', async () => {
    await app.gql(DEACTIVATE, { id: ben.id }, acme.token);
    const listed = await app.gql(USERS_BY_STATUS, { status: ['DEACTIVATED'] }, acme.token);
    expect(listed.data?.users.edges.map((e: any) => e.node.name)).toEqual(['Ben Okafor']);
    expect((await app.gql(REACTIVATE, { id: ben.id }, acme.token)).data?.reactivateUser.status).toBe('ACTIVE');
    expect((await app.gql(SIGN_IN, { l: ben.loginName, p: GOOD_PASSWORD })).data?.signIn.token).toBeTruthy();
  });

  it('does not let the manager deactivate themselves', async () => {
    expect(codesOf(await app.gql(DEACTIVATE, { id: acme.managerId }, acme.token))).toEqual(['CONFLICT']);
  });

  it('signs Ben out everywhere, by himself or by his manager', async () => {
    const second = await app.signIn(ben.loginName);
    expect((await app.gql(SIGN_OUT_EVERYWHERE, { id: ben.id }, acme.token)).data?.signOutEverywhere).toBe(true);
    expect(codesOf(await app.gql(ME, {}, ben.token))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await app.gql(ME, {}, second))).toEqual(['UNAUTHENTICATED']);
    const fresh = await app.signIn(ben.loginName);
    expect((await app.gql(SIGN_OUT_EVERYWHERE, { id: ben.id }, fresh)).data?.signOutEverywhere).toBe(true);
    expect(codesOf(await app.gql(ME, {}, fresh))).toEqual(['UNAUTHENTICATED']);
  });

  it('does not let Ben sign out his manager', async () => {
    expect(codesOf(await app.gql(SIGN_OUT_EVERYWHERE, { id: acme.managerId }, ben.token))).toEqual(['FORBIDDEN']);
  });
});

describe('given Acme with a pending user Ana who was sent a welcome link', () => {
  let app: TestApp;
  let acme: Manager;
  let ana: { id: string };
  let link: string;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ana = await createUser(app, acme.token, { name: 'Ana Silva', extension: '120', email: 'ana@acme.example' });
    link = (await sendWelcome(app, acme.token, ana.id)).token;
  });
  afterEach(async () => app.stop());

  it('kills the link when Ana is deactivated, refuses a welcome email, and reactivates to NOT_INVITED', async () => {
    await app.gql(DEACTIVATE, { id: ana.id }, acme.token);
    expect(
      (await app.gql(`query($t: String!) { setupLink(token: $t) { status } }`, { t: link })).data?.setupLink.status,
    ).toBe('INVALID');
    expect(
      errorOf(
        await app.gql(`mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }`, { id: ana.id }, acme.token),
        'CONFLICT',
      ).message,
    ).toMatch(/Deactivated/);
    expect((await app.gql(REACTIVATE, { id: ana.id }, acme.token)).data?.reactivateUser.status).toBe('NOT_INVITED');
    expect(
      (await app.gql(`query($t: String!) { setupLink(token: $t) { status } }`, { t: link })).data?.setupLink.status,
    ).toBe('INVALID');
  });

  it('leaves Ana out of a bulk welcome while she is deactivated, saying why', async () => {
    await app.gql(DEACTIVATE, { id: ana.id }, acme.token);
    const bulk = await app.gql(
      `mutation($ids: [ID!]) { sendWelcomeEmails(userIds: $ids) { sent skipped { userId reason } } }`,
      { ids: [ana.id] },
      acme.token,
    );
    expect(bulk.data?.sendWelcomeEmails).toEqual({
      sent: 0,
      skipped: [{ userId: ana.id, reason: 'Deactivated: reactivate the account first.' }],
    });
  });

  it('erases Ana only once deactivated and with her exact name; the account becomes "Erased user"', async () => {
    expect(codesOf(await app.gql(ERASE, { id: ana.id, name: 'Ana Silva' }, acme.token))).toEqual(['CONFLICT']);
    await app.gql(DEACTIVATE, { id: ana.id }, acme.token);
    expect(badFieldsOf(await app.gql(ERASE, { id: ana.id, name: 'Ana' }, acme.token))).toEqual(['confirmName']);
    expect((await app.gql(ERASE, { id: ana.id, name: 'Ana Silva' }, acme.token)).data?.eraseUser).toBe(true);
    const view = (await app.gql(USER, { id: ana.id }, acme.token)).data?.user;
    expect(view).toMatchObject({ name: 'Erased user', email: '', secondaryEmail: null, erased: true });
    // Her extension is free again; erasing twice is NOT_FOUND, as for any account that is gone.
    expect(
      (await createUser(app, acme.token, { name: 'Al', extension: '120', email: 'al@acme.example' })).loginName,
    ).toBe('120@acme');
    expect(codesOf(await app.gql(ERASE, { id: ana.id, name: 'Ana Silva' }, acme.token))).toEqual(['NOT_FOUND']);
  });
});

describe('given Acme with two managers and three users, a bulk deactivation', () => {
  let app: TestApp;
  let acme: Manager;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
  });
  afterEach(async () => app.stop());

  it('skips the caller and keeps the last active manager, with reasons', async () => {
    const other = await activeUser(app, acme.token, {
      name: 'Omar Manager',
      extension: '110',
      email: 'omar@acme.example',
      role: 'OFFICE_MANAGER',
    });
    const users = await Promise.all(
      ['201', '202', '203'].map((ext) =>
        createUser(app, acme.token, { name: `User ${ext}`, extension: ext, email: `u${ext}@acme.example` }),
      ),
    );
    const result = await app.gql(DEACTIVATE_MANY, { all: { search: '' } }, acme.token);
    const outcome = result.data?.deactivateUsers;
    expect(outcome.done).toBe(4);
    expect(outcome.skipped).toEqual([
      { userId: acme.managerId, reason: 'Your own account: ask another office manager to deactivate it.' },
    ]);
    expect((await app.gql(USER, { id: other.id }, acme.token)).data?.user.status).toBe('DEACTIVATED');
    expect((await app.gql(USER, { id: users[0]!.id }, acme.token)).data?.user.status).toBe('DEACTIVATED');
    // Omar (now deactivated) cannot act; reactivated, he finds the first manager to be the last one.
    await app.gql(REACTIVATE, { id: other.id }, acme.token);
    const omar = await app.signIn('110@acme');
    const last = await app.gql(DEACTIVATE_MANY, { ids: [acme.managerId] }, omar);
    expect(last.data?.deactivateUsers.done).toBe(1);
    const again = await app.gql(DEACTIVATE_MANY, { ids: [other.id] }, omar);
    expect(again.data?.deactivateUsers.skipped[0].reason).toMatch(/own account/);
  });

  it('asks for exactly one of userIds and allMatching', async () => {
    expect(badFieldsOf(await app.gql(DEACTIVATE_MANY, {}, acme.token))).toEqual(['userIds']);
  });
});
