import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  COMPLETE_SETUP,
  SEND_WELCOME,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  errorOf,
  eventually,
  sendWelcome,
  setupInput,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const HOUR = 3_600_000;
const SETUP_LINK = `query($token: String!) { setupLink(token: $token) { status loginName extension expiresAt } }`;
const RESET_LINK = `query($token: String!) { resetLink(token: $token) { status } }`;
const LAST_EMAIL = `query($id: ID!) { user(id: $id) { status lastEmail { kind status to at } } }`;

const linkStatus = async (app: TestApp, token: string) => (await app.gql(SETUP_LINK, { token })).data?.setupLink.status;
const tamper = (token: string) => token.slice(0, 60) + (token[60] === 'A' ? 'B' : 'A') + token.slice(61);
const badInput = (token: string) => ({ ...setupInput(token), password: 'short', confirmPassword: 'short' });

describe('given Ben, created by the office manager of Acme and sent a welcome email', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; loginName: string };
  let link: string;
  beforeEach(async () => {
    // sessions outlive the clock moves below
    app = await createTestApp({ sessionTtlMs: 7 * 24 * HOUR });
    acme = await app.organization('acme');
    ben = await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    ({ token: link } = await sendWelcome(app, acme.token, ben.id));
  });
  afterEach(async () => app.stop());

  it('shows the link as VALID with the login name, extension and expiry, and looking consumes nothing', async () => {
    const info = await app.gql(SETUP_LINK, { token: link });
    expect(info.data?.setupLink).toEqual({
      status: 'VALID',
      loginName: '101@acme',
      extension: '101',
      // executeOperation hands scalars over unserialised: a DateTime is a Date here
      expiresAt: new Date(app.clock().getTime() + 24 * HOUR),
    });
    expect(await linkStatus(app, link)).toBe('VALID');
    expect((await app.gql(COMPLETE_SETUP, { input: setupInput(link) })).data?.completeSetup).toEqual({
      loginName: '101@acme',
    });
  });

  it('marks the last email DELIVERED once the reactor sent it', async () => {
    const delivered = await eventually(async () => {
      const user = (await app.gql(LAST_EMAIL, { id: ben.id }, acme.token)).data?.user;
      return user?.lastEmail.status === 'DELIVERED' && user;
    }, 'the welcome email to be DELIVERED');
    expect(delivered).toMatchObject({ status: 'INVITED', lastEmail: { kind: 'welcome', to: ['ben@acme.example'] } });
  });

  it('answers LINK_USED for a link already used, and the setupLink query says USED', async () => {
    expect((await app.gql(COMPLETE_SETUP, { input: setupInput(link) })).errors).toBeUndefined();
    expect(errorOf(await app.gql(COMPLETE_SETUP, { input: setupInput(link) }), 'LINK_USED').message).toBe(
      'This link was already used.',
    );
    expect(await linkStatus(app, link)).toBe('USED');
  });

  it('lets exactly one of two simultaneous submits of the same link succeed; the other gets LINK_USED', async () => {
    const both = await Promise.all([
      app.gql(COMPLETE_SETUP, { input: setupInput(link) }),
      app.gql(COMPLETE_SETUP, { input: setupInput(link) }),
    ]);
    expect(both.filter((r) => r.data?.completeSetup?.loginName === '101@acme')).toHaveLength(1);
    expect(both.flatMap(codesOf)).toEqual(['LINK_USED']);
    expect(await app.signIn('101@acme')).toBeTypeOf('string');
  });

  it('answers LINK_EXPIRED once 24 hours have passed, and not a millisecond before', async () => {
    app.clock.advance(24 * HOUR - 1);
    expect(await linkStatus(app, link)).toBe('VALID');
    app.clock.advance(1);
    expect(await linkStatus(app, link)).toBe('EXPIRED');
    expect(errorOf(await app.gql(COMPLETE_SETUP, { input: setupInput(link) }), 'LINK_EXPIRED').message).toBe(
      'This link has expired.',
    );
  });

  it('answers LINK_INVALID for a tampered token, and the setupLink query says INVALID', async () => {
    expect(codesOf(await app.gql(COMPLETE_SETUP, { input: setupInput(tamper(link)) }))).toEqual(['LINK_INVALID']);
    expect(await linkStatus(app, tamper(link))).toBe('INVALID');
    expect(await linkStatus(app, 'garbage')).toBe('INVALID');
    expect(await linkStatus(app, link)).toBe('VALID');
  });

  it('does not take a welcome link as a password reset link', async () => {
    expect((await app.gql(RESET_LINK, { token: link })).data?.resetLink.status).toBe('INVALID');
    const reset = await app.gql(`mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`, {
      input: { token: link, password: 'Another-Harbor-77', confirmPassword: 'Another-Harbor-77' },
    });
    expect(codesOf(reset)).toEqual(['LINK_INVALID']);
  });

  it('kills the first link when a second welcome is sent, and the new one works', async () => {
    const { token: second } = await sendWelcome(app, acme.token, ben.id);
    expect(second).not.toBe(link);
    expect(await linkStatus(app, link)).toBe('INVALID');
    expect(codesOf(await app.gql(COMPLETE_SETUP, { input: setupInput(link) }))).toEqual(['LINK_INVALID']);
    expect((await app.gql(COMPLETE_SETUP, { input: setupInput(second) })).errors).toBeUndefined();
  });

  it('sends a working link again after the first one expired', async () => {
    app.clock.advance(24 * HOUR);
    const { token: second } = await sendWelcome(app, acme.token, ben.id);
    expect((await app.gql(LAST_EMAIL, { id: ben.id }, acme.token)).data?.user.status).toBe('INVITED');
    expect((await app.gql(COMPLETE_SETUP, { input: setupInput(second) })).errors).toBeUndefined();
  });

  it('checks the input before the link: bad input with an expired link answers BAD_USER_INPUT', async () => {
    app.clock.advance(24 * HOUR);
    expect(badFieldsOf(await app.gql(COMPLETE_SETUP, { input: badInput(link) }))).toEqual(['password']);
  });

  it('checks the input before the link: bad input with a used link answers BAD_USER_INPUT', async () => {
    await app.gql(COMPLETE_SETUP, { input: setupInput(link) });
    expect(badFieldsOf(await app.gql(COMPLETE_SETUP, { input: badInput(link) }))).toEqual(['password']);
  });

  it('never burns a valid link on bad input', async () => {
    for (const input of [
      badInput(link),
      { ...setupInput(link), confirmPassword: 'Harbor-Kite-43' },
      { ...setupInput(link), voicemailPin: '101' },
    ]) {
      expect(codesOf(await app.gql(COMPLETE_SETUP, { input }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(await linkStatus(app, link)).toBe('VALID');
    expect((await app.gql(COMPLETE_SETUP, { input: setupInput(link) })).errors).toBeUndefined();
  });

  it('answers CONFLICT to a welcome email for someone who completed setup', async () => {
    await app.gql(COMPLETE_SETUP, { input: setupInput(link) });
    const again = await app.gql(SEND_WELCOME, { id: ben.id }, acme.token);
    expect(errorOf(again, 'CONFLICT').message).toBe('Already completed setup.');
  });
});

describe('given Ben with a second email address', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string };
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ben = await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    const added = await app.gql(
      `mutation($id: ID!) { addSecondaryEmail(userId: $id, email: "Ben.Home@Example.com") { secondaryEmail } }`,
      { id: ben.id },
      acme.token,
    );
    expect(added.data?.addSecondaryEmail.secondaryEmail).toBe('ben.home@example.com');
  });
  afterEach(async () => app.stop());

  it('sends the welcome email to the designated and the second address', async () => {
    const { email } = await sendWelcome(app, acme.token, ben.id);
    expect(email.to).toEqual(['ben@acme.example', 'ben.home@example.com']);
    expect(email.text).toContain('101@acme');
  });
});
