import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GOOD_PASSWORD,
  activeUser,
  errorOf,
  resetEmailOf,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  sendWelcome,
  settled,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const CHANGE = `mutation($id: ID!, $email: String!, $pw: String) {
  changeDesignatedEmail(userId: $id, email: $email, currentPassword: $pw) { id email secondaryEmail }
}`;
const ADD = `mutation($id: ID!, $email: String!) { addSecondaryEmail(userId: $id, email: $email) { id email secondaryEmail } }`;
const REMOVE = `mutation($id: ID!) { removeSecondaryEmail(userId: $id) { id email secondaryEmail } }`;
const USER = `query($id: ID!) { user(id: $id) { email secondaryEmail } }`;

describe('given Acme with Nia, who has not set up yet', () => {
  let app: TestApp;
  let acme: Manager;
  let nia: { id: string };
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    nia = await createUser(app, acme.token, { name: 'Nia New', extension: '102', email: 'nia@acme.example' });
  });
  afterEach(async () => app.stop());

  it("lets the office manager change a user's designated email, normalised", async () => {
    const result = await app.gql(CHANGE, { id: nia.id, email: ' Nia.N@Acme.Example ' }, acme.token);
    expect(result.data?.changeDesignatedEmail).toEqual({
      id: nia.id,
      email: 'nia.n@acme.example',
      secondaryEmail: null,
    });
    expect((await app.gql(USER, { id: nia.id }, acme.token)).data?.user.email).toBe('nia.n@acme.example');
  });

  it.each(['nope', 'ben@acme', 'two@at@acme.example', ''])(
    'refuses the address "%s" with BAD_USER_INPUT on email',
    async (email) => {
      expect(badFieldsOf(await app.gql(CHANGE, { id: nia.id, email }, acme.token))).toEqual(['email']);
      expect(badFieldsOf(await app.gql(ADD, { id: nia.id, email }, acme.token))).toEqual(['email']);
    },
  );

  it('refuses a second email equal to the designated one, in any case', async () => {
    const result = await app.gql(ADD, { id: nia.id, email: 'NIA@acme.example' }, acme.token);
    expect(badFieldsOf(result)).toEqual(['email']);
    expect((await app.gql(USER, { id: nia.id }, acme.token)).data?.user.secondaryEmail).toBeNull();
  });

  it('refuses a designated email equal to the second one', async () => {
    await app.gql(ADD, { id: nia.id, email: 'nia.home@example.com' }, acme.token);
    expect(badFieldsOf(await app.gql(CHANGE, { id: nia.id, email: 'nia.home@example.com' }, acme.token))).toEqual([
      'email',
    ]);
  });

  it('adds, replaces and removes the second email', async () => {
    const added = await app.gql(ADD, { id: nia.id, email: 'nia.home@example.com' }, acme.token);
    expect(added.data?.addSecondaryEmail).toMatchObject({
      email: 'nia@acme.example',
      secondaryEmail: 'nia.home@example.com',
    });
    const replaced = await app.gql(ADD, { id: nia.id, email: 'nia.mobile@example.com' }, acme.token);
    expect(replaced.data?.addSecondaryEmail.secondaryEmail).toBe('nia.mobile@example.com');
    const removed = await app.gql(REMOVE, { id: nia.id }, acme.token);
    expect(removed.data?.removeSecondaryEmail).toEqual({ id: nia.id, email: 'nia@acme.example', secondaryEmail: null });
    expect((await app.gql(REMOVE, { id: nia.id }, acme.token)).errors).toBeUndefined();
  });

  it('sends a later welcome email to both addresses, and after removal to the designated one only', async () => {
    await app.gql(ADD, { id: nia.id, email: 'nia.home@example.com' }, acme.token);
    expect((await sendWelcome(app, acme.token, nia.id)).email.to).toEqual(['nia@acme.example', 'nia.home@example.com']);
    await app.gql(REMOVE, { id: nia.id }, acme.token);
    expect((await sendWelcome(app, acme.token, nia.id)).email.to).toEqual(['nia@acme.example']);
  });

  it('sends a later welcome email to the new designated address', async () => {
    await app.gql(CHANGE, { id: nia.id, email: 'nia.n@acme.example' }, acme.token);
    expect((await sendWelcome(app, acme.token, nia.id)).email.to).toEqual(['nia.n@acme.example']);
  });
});

describe('given Acme with active user Ben and Nia, who has not set up yet', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; token: string };
  let nia: { id: string };
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    nia = await createUser(app, acme.token, { name: 'Nia New', extension: '102', email: 'nia@acme.example' });
  });
  afterEach(async () => app.stop());

  it('lets a user change their own designated email with their current password', async () => {
    const result = await app.gql(
      CHANGE,
      { id: ben.id, email: 'ben.okafor@acme.example', pw: GOOD_PASSWORD },
      ben.token,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.changeDesignatedEmail.email).toBe('ben.okafor@acme.example');
  });

  it('refuses their own change without the current password, naming currentPassword, and changes nothing', async () => {
    const result = await app.gql(CHANGE, { id: ben.id, email: 'ben.okafor@acme.example' }, ben.token);
    expect(badFieldsOf(result)).toEqual(['currentPassword']);
    expect((await app.gql(USER, { id: ben.id }, acme.token)).data?.user.email).toBe('ben@acme.example');
  });

  it('refuses a wrong current password as INVALID_CREDENTIALS, counted as failed sign-ins', async () => {
    for (let i = 0; i < 5; i++) {
      const wrong = await app.gql(
        CHANGE,
        { id: ben.id, email: 'evil@evil.example', pw: `Wrong-Guess-${i}` },
        ben.token,
      );
      expect(codesOf(wrong)).toEqual(['INVALID_CREDENTIALS']);
    }
    const limited = await app.gql(CHANGE, { id: ben.id, email: 'evil@evil.example', pw: GOOD_PASSWORD }, ben.token);
    expect(errorOf(limited, 'RATE_LIMITED').extensions?.retryAfterSeconds).toBeGreaterThan(0);
    // The same budget as signing in: Ben's own sign-in from this address waits too.
    const signIn = await app.gql(
      `mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }`,
      {
        l: '101@acme',
        p: GOOD_PASSWORD,
      },
    );
    expect(codesOf(signIn)).toEqual(['RATE_LIMITED']);
    expect((await app.gql(USER, { id: ben.id }, acme.token)).data?.user.email).toBe('ben@acme.example');
  });

  it("needs no password when an office manager changes a user's email, and their own needs one", async () => {
    expect((await app.gql(CHANGE, { id: ben.id, email: 'ben.o@acme.example' }, acme.token)).errors).toBeUndefined();
    expect(badFieldsOf(await app.gql(CHANGE, { id: acme.managerId, email: 'boss@acme.example' }, acme.token))).toEqual([
      'currentPassword',
    ]);
  });

  it('makes a reset link sent to the old address LINK_INVALID and tells the old address', async () => {
    await app.gql(`mutation { requestPasswordReset(email: "ben@acme.example") }`);
    const { token } = await resetEmailOf(app, ben.id);
    await app.gql(CHANGE, { id: ben.id, email: 'ben.okafor@acme.example' }, acme.token);
    const RESET = `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`;
    const used = await app.gql(RESET, {
      input: { token, password: 'Fresh-Meadow-77', confirmPassword: 'Fresh-Meadow-77' },
    });
    expect(codesOf(used)).toEqual(['LINK_INVALID']);
    expect(
      (await app.gql(`query($t: String!) { resetLink(token: $t) { status } }`, { t: token })).data?.resetLink.status,
    ).toBe('INVALID');
    const notice = await app.waitForEmail((m) => m.kind === 'email-changed');
    expect(notice.to).toEqual(['ben@acme.example']);
    expect(notice.text).toContain('b•••@acme.example');
    expect(notice.text).not.toContain('ben.okafor@acme.example');
    expect(notice.text).toContain('call your office manager');
  });

  it('makes a welcome link sent to a removed second email LINK_INVALID, and tells that address', async () => {
    await app.gql(ADD, { id: nia.id, email: 'nia.home@example.com' }, acme.token);
    const { token } = await sendWelcome(app, acme.token, nia.id);
    await app.gql(REMOVE, { id: nia.id }, acme.token);
    expect(
      (await app.gql(`query($t: String!) { setupLink(token: $t) { status } }`, { t: token })).data?.setupLink.status,
    ).toBe('INVALID');
    const notice = await app.waitForEmail((m) => m.kind === 'email-changed');
    expect(notice.to).toEqual(['nia.home@example.com']);
    expect(notice.text).toContain('removed');
  });

  it("forbids a USER to change someone else's email, and leaves it as it was", async () => {
    expect(codesOf(await app.gql(CHANGE, { id: nia.id, email: 'hijack@evil.example' }, ben.token))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codesOf(await app.gql(CHANGE, { id: acme.managerId, email: 'hijack@evil.example' }, ben.token))).toEqual([
      'FORBIDDEN',
    ]);
    expect((await app.gql(USER, { id: nia.id }, acme.token)).data?.user.email).toBe('nia@acme.example');
  });

  it('forbids a USER to add a second email, even their own', async () => {
    expect(codesOf(await app.gql(ADD, { id: ben.id, email: 'ben.home@example.com' }, ben.token))).toEqual([
      'FORBIDDEN',
    ]);
  });

  it('sends password resets to the new address only, once changed', async () => {
    await app.gql(CHANGE, { id: ben.id, email: 'ben.okafor@acme.example', pw: GOOD_PASSWORD }, ben.token);
    await app.gql(`mutation { requestPasswordReset(email: "ben@acme.example") }`);
    await settled(app);
    expect(app.outbox().filter((m) => m.kind === 'reset')).toHaveLength(0);
    await app.gql(`mutation { requestPasswordReset(email: "ben.okafor@acme.example") }`);
    await settled(app);
    expect(
      app
        .outbox()
        .filter((m) => m.kind === 'reset')
        .map((m) => m.to),
    ).toEqual([['ben.okafor@acme.example']]);
  });
});
