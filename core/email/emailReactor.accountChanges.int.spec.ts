import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../actor.js';
import { changeEmailAddress } from '../accounts/emailAddresses.js';
import { verifyLink } from '../links/linkToken.js';
import { reactorFixture, waitFor, type ReactorFixture } from './testing/reactorFixture.js';

const HOUR = 3_600_000;

describe('email reactor on extension changes, PIN resets, deactivation and erasure', () => {
  let f: ReactorFixture;
  beforeEach(async () => {
    f = await reactorFixture();
  });
  afterEach(() => f.close());

  const sent = () => f.standIn.messages.map((m) => [m.Tag, m.To]);

  describe("given a user's extension was changed", () => {
    it('sends one extension-changed email naming the new login name to both of their addresses', async () => {
      const id = await f.userWithPassword('ben@acme.example', '101');
      await changeEmailAddress(f.deps, { actor: SYSTEM }, id, { type: 'AddSecondaryEmail', email: 'ben@home.example' });
      const noticeId = randomUUID();
      await f.decide(id, {
        type: 'ChangeExtension',
        actor: SYSTEM,
        data: { extension: '205', loginName: '205@acme', noticeId },
      });
      await f.start();
      await waitFor(() => f.atHead());
      expect(sent()).toEqual([['extension-changed', 'ben@acme.example, ben@home.example']]);
      const body = f.standIn.messages[0]?.TextBody;
      expect(body).toContain('Your login name is now: 205@acme');
      expect(body).toContain('Your previous login name, 101@acme, no longer works.');
      expect(body).toContain('Sign in: http://keyturn.test/sign-in');
      expect(await f.outcomes(id)).toMatchObject([
        {
          type: 'EmailDelivered',
          data: { kind: 'extension-changed', refId: noticeId, to: ['ben@acme.example', 'ben@home.example'] },
        },
      ]);
    });
  });

  describe('given an office manager sent a PIN reset link', () => {
    it('sends one pin-reset email whose link carries a token good for a PIN reset, not a password reset', async () => {
      const id = await f.userWithPassword('ben@acme.example', '101');
      const resetId = randomUUID();
      const now = new Date();
      await f.decide(id, {
        type: 'SendPinResetEmail',
        actor: SYSTEM,
        now,
        data: { resetId, expiresAt: new Date(now.getTime() + 3 * HOUR) },
      });
      await f.start();
      await waitFor(() => f.atHead());
      expect(sent()).toEqual([['pin-reset', 'ben@acme.example']]);
      const message = f.standIn.messages[0]!;
      expect(message.Subject).toBe('Reset your voicemail PIN');
      expect(message.TextBody).toContain('(in 3 hours)');
      const token = /http:\/\/keyturn\.test\/reset-pin\?token=([A-Za-z0-9_-]+)/.exec(message.TextBody ?? '')?.[1];
      expect(token).toBeDefined();
      expect(verifyLink(f.deps.links.secret, 'pin-reset', token!)).toEqual({ accountId: id, linkId: resetId });
      expect(verifyLink(f.deps.links.secret, 'reset', token!)).toBeUndefined();
      expect(await f.outcomes(id)).toMatchObject([
        { type: 'EmailDelivered', data: { kind: 'pin-reset', refId: resetId } },
      ]);
    });
  });

  describe('given a signed-in user changed their own password', () => {
    it('sends the password-changed notice, as after a reset', async () => {
      const id = await f.userWithPassword('ben@acme.example', '101');
      const self = { kind: 'account', accountId: id, organizationId: f.organizationId, role: 'USER' } as const;
      const data = { changeId: randomUUID(), passwordHash: 'unused-hash-2', passwordConfirmed: true };
      await f.decide(id, { type: 'ChangeOwnPassword', actor: self, data });
      await f.start();
      await waitFor(() => f.atHead());
      expect(sent()).toEqual([['password-changed', 'ben@acme.example']]);
    });
  });

  // Another user's welcome goes out in the same run: proof the reactor handled the batch, not that it idled.
  const control = () => f.userWithWelcome('bea@acme.example', '301');

  describe('given accounts deactivated after their links were asked for, before the reactor ran', () => {
    it('sends them no welcome, reset or extension email, and records nothing on them', async () => {
      const pending = await f.userWithWelcome('ben@acme.example', '101');
      await f.decide(pending, { type: 'DeactivateAccount', actor: SYSTEM, data: { otherActiveManagers: 0 } });
      const active = await f.userWithPassword('ann@acme.example', '102');
      const now = new Date();
      await f.decide(active, {
        type: 'RequestReset',
        now,
        data: { resetId: randomUUID(), expiresAt: new Date(now.getTime() + HOUR) },
      });
      await f.decide(active, {
        type: 'ChangeExtension',
        actor: SYSTEM,
        data: { extension: '202', loginName: '202@acme', noticeId: randomUUID() },
      });
      await f.decide(active, { type: 'DeactivateAccount', actor: SYSTEM, data: { otherActiveManagers: 0 } });
      await control();
      await f.start();
      await waitFor(() => f.atHead());
      expect(sent()).toEqual([['welcome', 'bea@acme.example']]);
      expect(await f.outcomes(pending)).toEqual([]);
      expect(await f.outcomes(active)).toEqual([]);
    });
  });

  describe('given an account erased before the reactor ran', () => {
    it('sends it nothing at all, not even the email-changed notice a deactivated account still gets, and records nothing', async () => {
      const id = await f.userWithWelcome('ben@acme.example', '101');
      await changeEmailAddress(f.deps, { actor: SYSTEM }, id, {
        type: 'ChangeDesignatedEmail',
        email: 'ben.o@acme.example',
      });
      await f.decide(id, { type: 'DeactivateAccount', actor: SYSTEM, data: { otherActiveManagers: 0 } });
      await f.decide(id, { type: 'EraseAccount', actor: SYSTEM, data: { confirmName: 'Ben Okafor' } });
      await control();
      await f.start();
      await waitFor(() => f.atHead());
      expect(sent()).toEqual([['welcome', 'bea@acme.example']]);
      expect(await f.outcomes(id)).toEqual([]);
    });
  });
});
