import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GOOD_PASSWORD,
  activeUser,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  errorOf,
  eventsOf,
  resetEmailOf,
  settled,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const HOUR = 3_600_000;
const NEW_PASSWORD = 'Another-Harbor-77';

const REQUEST_RESET = `mutation($email: String!) { requestPasswordReset(email: $email) }`;
const REQUEST_LOGIN_NAME = `mutation($email: String!) { requestLoginName(email: $email) }`;
const RESET = `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`;
const RESET_LINK = `query($token: String!) { resetLink(token: $token) { status loginName } }`;
const ME = `{ me { id } }`;
const SIGN_IN = `mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }`;

const resetInput = (token: string, password = NEW_PASSWORD) => ({ token, password, confirmPassword: password });

describe('given active Ben (designated and second email) and Nia, who has not set up yet', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; loginName: string; token: string };
  let nia: { id: string };
  let n = 0;
  let extension: string, benEmail: string, benHome: string, niaEmail: string;
  const resetLinkStatus = async (token: string) => (await app.gql(RESET_LINK, { token })).data?.resetLink.status;

  // One organization for the group; every spec gets its own Ben and Nia (own addresses, own email cap).
  beforeAll(async () => {
    app = await createTestApp({ sessionTtlMs: 7 * 24 * HOUR });
    acme = await app.organization('acme');
  });
  afterAll(async () => app.stop());
  beforeEach(async () => {
    n += 1;
    extension = String(200 + n);
    [benEmail, benHome, niaEmail] = [`ben${n}@acme.example`, `ben${n}.home@example.com`, `nia${n}@acme.example`];
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension, email: benEmail });
    await app.gql(`mutation($id: ID!, $e: String!) { addSecondaryEmail(userId: $id, email: $e) { id } }`, { id: ben.id, e: benHome }, acme.token);
    nia = await createUser(app, acme.token, { name: 'Nia New', extension: String(600 + n), email: niaEmail });
  });

  it('answers true alike for a known, an unknown and a not-yet-set-up address; only the active account gets a reset email, at both its addresses', async () => {
    const answers = [];
    for (const email of [`nobody${n}@acme.example`, niaEmail, ` ${benEmail.toUpperCase()} `]) {
      answers.push(await app.gql(REQUEST_RESET, { email }));
    }
    expect(answers).toEqual([0, 1, 2].map(() => ({ data: { requestPasswordReset: true } })));
    await settled(app);
    const sent = app.outbox().filter((m) => m.kind === 'reset' && [ben.id, nia.id].includes(m.metadata.accountId));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: [benEmail, benHome], metadata: { accountId: ben.id } });
    expect(sent[0]!.text).toContain(ben.loginName);
    expect(app.outbox().filter((m) => m.to.includes(`nobody${n}@acme.example`))).toHaveLength(0);
    expect(await eventsOf(app, nia.id, 'ResetRequested')).toHaveLength(0);
  });

  it('sends the reset email when asked with the second address, too', async () => {
    await app.gql(REQUEST_RESET, { email: benHome });
    const { email } = await resetEmailOf(app, ben.id);
    expect(email.to).toEqual([benEmail, benHome]);
  });

  it('shows the reset link as VALID and keeps it working after bad input', async () => {
    await app.gql(REQUEST_RESET, { email: benEmail });
    const { token } = await resetEmailOf(app, ben.id);
    expect((await app.gql(RESET_LINK, { token })).data?.resetLink).toEqual({ status: 'VALID', loginName: ben.loginName });
    expect(badFieldsOf(await app.gql(RESET, { input: resetInput(token, 'short') }))).toEqual(['password']);
    expect(badFieldsOf(await app.gql(RESET, { input: { ...resetInput(token), confirmPassword: 'Other-Harbor-77' } }))).toEqual([
      'confirmPassword',
    ]);
    expect(badFieldsOf(await app.gql(RESET, { input: resetInput(token, `Harbor-${extension}-Kite`) }))).toEqual(['password']);
    expect(await resetLinkStatus(token)).toBe('VALID');
    expect((await app.gql(RESET, { input: resetInput(token) })).data?.resetPassword).toBe(true);
  });

  it('on reset: ends every session, takes the new password only, emails "password changed", and the link is then used', async () => {
    const otherSession = await app.signIn(ben.loginName);
    await app.gql(REQUEST_RESET, { email: benEmail });
    const { token } = await resetEmailOf(app, ben.id);

    expect((await app.gql(RESET, { input: resetInput(token) })).data?.resetPassword).toBe(true);

    expect(codesOf(await app.gql(ME, {}, ben.token))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await app.gql(ME, {}, otherSession))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await app.gql(SIGN_IN, { l: ben.loginName, p: GOOD_PASSWORD }))).toEqual(['INVALID_CREDENTIALS']);
    const fresh = await app.signIn(ben.loginName, NEW_PASSWORD);
    expect((await app.gql(ME, {}, fresh)).data?.me.id).toBe(ben.id);

    const changed = await app.waitForEmail((m) => m.kind === 'password-changed' && m.metadata.accountId === ben.id);
    expect(changed.to).toEqual([benEmail, benHome]);
    expect(changed.subject).toBe('Your password was changed');

    expect(errorOf(await app.gql(RESET, { input: resetInput(token, 'Third-Harbor-99') }), 'LINK_USED').message).toBe(
      'This link was already used.',
    );
    expect(await resetLinkStatus(token)).toBe('USED');
  });

  it('lets exactly one of two simultaneous resets with the same link succeed; the other gets LINK_USED', async () => {
    await app.gql(REQUEST_RESET, { email: benEmail });
    const { token } = await resetEmailOf(app, ben.id);
    const both = await Promise.all([
      app.gql(RESET, { input: resetInput(token) }),
      app.gql(RESET, { input: resetInput(token, 'Third-Harbor-99') }),
    ]);
    expect(both.filter((r) => r.data?.resetPassword === true)).toHaveLength(1);
    expect(both.flatMap(codesOf)).toEqual(['LINK_USED']);
    expect(await eventsOf(app, ben.id, 'PasswordChanged')).toHaveLength(1);
  });

  it("leaves other users' sessions alone on reset", async () => {
    await app.gql(REQUEST_RESET, { email: benEmail });
    const { token } = await resetEmailOf(app, ben.id);
    await app.gql(RESET, { input: resetInput(token) });
    expect((await app.gql(ME, {}, acme.token)).data?.me.id).toBe(acme.managerId);
  });

  it('lets the reset link expire after 3 hours (LINK_EXPIRED), and not a millisecond before', async () => {
    await app.gql(REQUEST_RESET, { email: benEmail });
    const { token } = await resetEmailOf(app, ben.id);
    app.clock.advance(3 * HOUR - 1);
    expect(await resetLinkStatus(token)).toBe('VALID');
    app.clock.advance(1);
    expect(await resetLinkStatus(token)).toBe('EXPIRED');
    expect(errorOf(await app.gql(RESET, { input: resetInput(token) }), 'LINK_EXPIRED').message).toBe('This link has expired.');
    expect(await app.signIn(ben.loginName)).toBeTypeOf('string');
  });

  it('makes an older reset link LINK_INVALID once a newer one was requested; the newer one works', async () => {
    await app.gql(REQUEST_RESET, { email: benEmail });
    const { token: older } = await resetEmailOf(app, ben.id);
    await app.gql(REQUEST_RESET, { email: benEmail });
    const { token: newer } = await resetEmailOf(app, ben.id);
    expect(newer).not.toBe(older);
    expect(await resetLinkStatus(older)).toBe('INVALID');
    expect(codesOf(await app.gql(RESET, { input: resetInput(older) }))).toEqual(['LINK_INVALID']);
    expect((await app.gql(RESET, { input: resetInput(newer) })).data?.resetPassword).toBe(true);
  });

  it('answers LINK_INVALID for a tampered reset token', async () => {
    await app.gql(REQUEST_RESET, { email: benEmail });
    const { token } = await resetEmailOf(app, ben.id);
    const tampered = token.slice(0, 60) + (token[60] === 'A' ? 'B' : 'A') + token.slice(61);
    expect(await resetLinkStatus(tampered)).toBe('INVALID');
    expect(codesOf(await app.gql(RESET, { input: resetInput(tampered) }))).toEqual(['LINK_INVALID']);
  });

  it.each([
    ['requestPasswordReset', REQUEST_RESET],
    ['requestLoginName', REQUEST_LOGIN_NAME],
  ])('refuses a malformed address in %s with BAD_USER_INPUT, and sends nothing', async (_name, mutation) => {
    await settled(app);
    const before = app.outbox().length;
    for (const email of ['nope', 'ben@acme', '', 'a b@acme.example']) {
      expect(badFieldsOf(await app.gql(mutation, { email }))).toEqual(['email']);
    }
    await settled(app);
    expect(app.outbox()).toHaveLength(before);
  });

  it('answers requestLoginName with true for an unknown address and sends nothing', async () => {
    expect((await app.gql(REQUEST_LOGIN_NAME, { email: `nobody${n}@acme.example` })).data?.requestLoginName).toBe(true);
    await settled(app);
    expect(app.outbox().filter((m) => m.to.includes(`nobody${n}@acme.example`))).toHaveLength(0);
  });
});

describe('given an address tied to two accounts in two organizations and two in one organization', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp();
    const acme = await app.organization('acme');
    const globex = await app.organization('globex');
    await createUser(app, acme.token, { name: 'Sam Acme', extension: '201', email: 'sam@example.com' });
    await createUser(app, globex.token, { name: 'Sam Globex', extension: '301', email: 'Sam@Example.com' });
    await createUser(app, acme.token, { name: 'Desk One', extension: '401', email: 'frontdesk@acme.example' });
    await createUser(app, acme.token, { name: 'Desk Two', extension: '402', email: 'frontdesk@acme.example' });
  });
  afterEach(async () => app.stop());

  it.each([
    ['two organizations', 'sam@example.com', ['201@acme', '301@globex']],
    ['one organization', 'frontdesk@acme.example', ['401@acme', '402@acme']],
  ])('sends ONE login-name email listing both login names (%s)', async (_where, address, loginNames) => {
    expect((await app.gql(REQUEST_LOGIN_NAME, { email: address.toUpperCase() })).data?.requestLoginName).toBe(true);
    await settled(app);
    const emails = app.outbox().filter((m) => m.kind === 'login-name');
    expect(emails).toHaveLength(1);
    expect(emails[0]!.to).toEqual([address]);
    expect(emails[0]!.subject).toBe('Your login names');
    for (const name of loginNames) expect(emails[0]!.text).toContain(name);
  });
});

describe('given active Ben with a second email, and a cap of 2 emails per address per hour', () => {
  let app: TestApp;
  let ben: { id: string };
  beforeEach(async () => {
    app = await createTestApp({ rateLimits: { resetEmailsPerAddressPerHour: 2, loginNameEmailsPerAddressPerHour: 2 } });
    const acme = await app.organization('acme');
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    await app.gql(`mutation($id: ID!) { addSecondaryEmail(userId: $id, email: "ben.home@example.com") { id } }`, { id: ben.id }, acme.token);
  });
  afterEach(async () => app.stop());

  it('sends nothing for the third request but still answers true', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await app.gql(REQUEST_RESET, { email: 'ben@acme.example' })).data?.requestPasswordReset).toBe(true);
      await resetEmailOf(app, ben.id);
    }
    expect((await app.gql(REQUEST_RESET, { email: 'ben@acme.example' })).data?.requestPasswordReset).toBe(true);
    await settled(app);
    expect(await eventsOf(app, ben.id, 'ResetRequested')).toHaveLength(2);
    expect(app.outbox().filter((m) => m.kind === 'reset')).toHaveLength(2);
  });

  it('records the withheld email once on the account, where the office manager sees it', async () => {
    for (let i = 0; i < 4; i++) {
      await app.gql(REQUEST_RESET, { email: 'ben@acme.example' });
      await settled(app);
    }
    const withheld = await eventsOf(app, ben.id, 'EmailWithheld');
    expect(withheld.map((e) => e.data)).toEqual([{ withheldId: expect.any(String), kind: 'reset', reason: 'too-many-requests' }]);
    const view = await app.readModel.users.get(withheld[0]!.metadata.organizationId!, ben.id);
    expect(view?.lastEmail).toMatchObject({ kind: 'reset', status: 'FAILED', error: expect.stringMatching(/too many password reset emails/) });
  });

  it('keeps login-name requests from silencing reset emails: each kind has its own cap', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await app.gql(REQUEST_LOGIN_NAME, { email: 'ben@acme.example' })).data?.requestLoginName).toBe(true);
      await settled(app);
    }
    expect(app.outbox().filter((m) => m.kind === 'login-name')).toHaveLength(2);
    await app.gql(REQUEST_RESET, { email: 'ben@acme.example' });
    await resetEmailOf(app, ben.id);
    expect((await eventsOf(app, ben.id, 'EmailWithheld')).map((e) => (e.data as { kind: string }).kind)).toEqual(['login-name']);
  });

  it('caps the emails an address receives, whichever of its addresses the request named', async () => {
    for (const email of ['ben@acme.example', 'ben@acme.example', 'ben.home@example.com', 'ben.home@example.com']) {
      await app.gql(REQUEST_RESET, { email });
      await settled(app);
    }
    const toDesignated = app.outbox().filter((m) => m.kind === 'reset' && m.to.includes('ben@acme.example'));
    expect(toDesignated.length).toBeLessThanOrEqual(2);
  });
});
