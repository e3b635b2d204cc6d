import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GOOD_PASSWORD,
  GOOD_PIN,
  activeUser,
  badFieldsOf,
  codesOf,
  createTestApp,
  eventsOf,
  latestEvent,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const NEW_PASSWORD = 'Lantern-Moss-77';
const CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const CHANGE_PIN = `mutation($input: ChangeVoicemailPinInput!) { changeVoicemailPin(input: $input) }`;
const SEND_PIN_RESET = `mutation($id: ID!) { sendPinResetEmail(userId: $id) { id lastEmail { kind } } }`;
const PIN_RESET_LINK = `query($t: String!) { pinResetLink(token: $t) { status loginName extension expiresAt } }`;
const RESET_PIN = `mutation($input: ResetVoicemailPinInput!) { resetVoicemailPin(input: $input) }`;
const RESET_LINK = `query($t: String!) { resetLink(token: $t) { status } }`;
const ME = `{ me { id } }`;
const SIGN_IN = `mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }`;

const passwordChange = (currentPassword: string, password = NEW_PASSWORD, confirmPassword = password) => ({
  input: { currentPassword, password, confirmPassword },
});

describe('given Ben, signed in on two devices', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; loginName: string; token: string };
  let phone: string;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    phone = await app.signIn(ben.loginName);
  });
  afterEach(async () => app.stop());

  it('changes his password: this session stays, the other ends, the old password stops, he is told by email', async () => {
    expect((await app.gql(CHANGE_PASSWORD, passwordChange(GOOD_PASSWORD), ben.token)).data?.changePassword).toBe(true);
    expect((await app.gql(ME, {}, ben.token)).data?.me.id).toBe(ben.id);
    expect(codesOf(await app.gql(ME, {}, phone))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await app.gql(SIGN_IN, { l: ben.loginName, p: GOOD_PASSWORD }))).toEqual(['INVALID_CREDENTIALS']);
    expect((await app.gql(SIGN_IN, { l: ben.loginName, p: NEW_PASSWORD })).data?.signIn.token).toBeTruthy();
    const { changeId } = (await latestEvent<{ changeId: string }>(app, ben.id, 'PasswordChanged'))!;
    await app.waitForEmail((m) => m.kind === 'password-changed' && m.metadata.refId === changeId);
  });

  it('kills an outstanding reset link when he changes his password', async () => {
    await app.gql(`mutation { requestPasswordReset(email: "ben@acme.example") }`);
    await app.keyturn.services.background.idle();
    const { resetId } = (await latestEvent<{ resetId: string }>(app, ben.id, 'ResetRequested'))!;
    const email = await app.waitForEmail((m) => m.kind === 'reset' && m.metadata.refId === resetId);
    await app.gql(CHANGE_PASSWORD, passwordChange(GOOD_PASSWORD), ben.token);
    expect((await app.gql(RESET_LINK, { t: app.linkToken(email) })).data?.resetLink.status).toBe('INVALID');
  });

  it('refuses a wrong current password as INVALID_CREDENTIALS, counted like a failed sign-in', async () => {
    for (let i = 0; i < 5; i++) {
      expect(codesOf(await app.gql(CHANGE_PASSWORD, passwordChange('Not-His-Password-9'), ben.token))).toEqual([
        'INVALID_CREDENTIALS',
      ]);
    }
    // the sign-in budget of his login name is spent: even the right password waits now
    expect(codesOf(await app.gql(CHANGE_PASSWORD, passwordChange(GOOD_PASSWORD), ben.token))).toEqual(['RATE_LIMITED']);
    expect(await eventsOf(app, ben.id, 'PasswordChanged')).toHaveLength(0);
  });

  it('names every password rule broken before checking the current password', async () => {
    const result = await app.gql(CHANGE_PASSWORD, passwordChange('anything', 'short', 'other'), ben.token);
    expect(badFieldsOf(result)).toEqual(['confirmPassword', 'password']);
  });

  it('names the PIN rules broken before checking the password', async () => {
    const result = await app.gql(
      CHANGE_PIN,
      { input: { currentPassword: 'not-checked', voicemailPin: '12' } },
      ben.token,
    );
    expect(badFieldsOf(result)).toEqual(['voicemailPin']);
  });

  it('refuses a PIN change with a wrong password', async () => {
    expect(
      codesOf(
        await app.gql(CHANGE_PIN, { input: { currentPassword: 'wrong-Wrong-1', voicemailPin: '8642' } }, ben.token),
      ),
    ).toEqual(['INVALID_CREDENTIALS']);
    expect(
      (await app.gql(CHANGE_PIN, { input: { currentPassword: GOOD_PASSWORD, voicemailPin: '8642' } }, ben.token)).data
        ?.changeVoicemailPin,
    ).toBe(true);
    const changed = await eventsOf(app, ben.id, 'VoicemailPinChanged');
    expect(changed).toHaveLength(1);
    expect(JSON.stringify(changed[0]!.data)).not.toContain('8642');
  });

  it('checks "not your extension" against the extension he has now', async () => {
    await app.gql(
      `mutation($id: ID!) { changeExtension(userId: $id, extension: "4455") { id } }`,
      { id: ben.id },
      acme.token,
    );
    expect(
      badFieldsOf(
        await app.gql(CHANGE_PIN, { input: { currentPassword: GOOD_PASSWORD, voicemailPin: '4455' } }, ben.token),
      ),
    ).toEqual(['voicemailPin']);
    expect(
      (await app.gql(CHANGE_PIN, { input: { currentPassword: GOOD_PASSWORD, voicemailPin: '0101' } }, ben.token)).data
        ?.changeVoicemailPin,
    ).toBe(true);
  });

  it('is UNAUTHENTICATED without a session', async () => {
    expect(codesOf(await app.gql(CHANGE_PASSWORD, passwordChange(GOOD_PASSWORD)))).toEqual(['UNAUTHENTICATED']);
    expect(
      codesOf(await app.gql(CHANGE_PIN, { input: { currentPassword: GOOD_PASSWORD, voicemailPin: '8642' } })),
    ).toEqual(['UNAUTHENTICATED']);
  });
});

describe('given Ben, active, and his office manager sending a PIN reset link', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; loginName: string; token: string };
  let token: string;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    const sent = await app.gql(SEND_PIN_RESET, { id: ben.id }, acme.token);
    expect(sent.data?.sendPinResetEmail.lastEmail.kind).toBe('pin-reset');
    const { resetId } = (await latestEvent<{ resetId: string }>(app, ben.id, 'PinResetRequested'))!;
    const email = await app.waitForEmail((m) => m.kind === 'pin-reset' && m.metadata.refId === resetId);
    expect(email.text).toContain('/reset-pin?token=');
    token = app.linkToken(email);
  });
  afterEach(async () => app.stop());

  it('shows the link as VALID without using it, and sets the new PIN once', async () => {
    const info = (await app.gql(PIN_RESET_LINK, { t: token })).data?.pinResetLink;
    expect(info).toMatchObject({ status: 'VALID', loginName: '101@acme', extension: '101' });
    expect((await app.gql(RESET_PIN, { input: { token, voicemailPin: '8642' } })).data?.resetVoicemailPin).toBe(true);
    expect((await app.gql(PIN_RESET_LINK, { t: token })).data?.pinResetLink.status).toBe('USED');
    expect(codesOf(await app.gql(RESET_PIN, { input: { token, voicemailPin: '9753' } }))).toEqual(['LINK_USED']);
  });

  it('never burns the link on a PIN that breaks the rules', async () => {
    expect(badFieldsOf(await app.gql(RESET_PIN, { input: { token, voicemailPin: '101' } }))).toEqual(['voicemailPin']);
    expect((await app.gql(PIN_RESET_LINK, { t: token })).data?.pinResetLink.status).toBe('VALID');
  });

  it('expires after PIN_RESET_LINK_TTL (3 h by default)', async () => {
    app.clock.advance(3 * 3_600_000);
    expect((await app.gql(PIN_RESET_LINK, { t: token })).data?.pinResetLink.status).toBe('EXPIRED');
    expect(
      codesOf(await app.gql(RESET_PIN, { input: { token, voicemailPin: GOOD_PIN.split('').reverse().join('') } })),
    ).toEqual(['LINK_EXPIRED']);
  });

  it('is not a password reset link, nor the other way round', async () => {
    expect((await app.gql(RESET_LINK, { t: token })).data?.resetLink.status).toBe('INVALID');
  });

  it('is superseded by a newer one', async () => {
    await app.gql(SEND_PIN_RESET, { id: ben.id }, acme.token);
    expect((await app.gql(PIN_RESET_LINK, { t: token })).data?.pinResetLink.status).toBe('INVALID');
  });

  it('is FORBIDDEN to Ben himself', async () => {
    expect(codesOf(await app.gql(SEND_PIN_RESET, { id: ben.id }, ben.token))).toEqual(['FORBIDDEN']);
  });
});
