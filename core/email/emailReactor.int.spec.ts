import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../actor.js';
import { sendWelcomeEmail } from '../accounts/onboarding.js';
import { changeEmailAddress } from '../accounts/emailAddresses.js';
import { createSqliteCheckpointStore } from '../eventStore/checkpoints.js';
import { reactorFixture, waitFor, type ReactorFixture } from './testing/reactorFixture.js';

describe('email reactor with the real Postmark client against a local stand-in', () => {
  let f: ReactorFixture;
  beforeEach(async () => {
    f = await reactorFixture();
  });
  afterEach(() => f.close());

  describe('given a welcome email recorded while no reactor ran (a crash right after the append)', () => {
    it('sends it once the reactor starts, and records EmailDelivered with the provider id', async () => {
      const id = await f.userWithWelcome('ben@acme.example', '101');
      await f.start();
      await waitFor(async () => (await f.outcomes(id)).length === 1);
      const [delivered] = await f.outcomes(id);
      expect(delivered).toMatchObject({ type: 'EmailDelivered', data: { kind: 'welcome', to: ['ben@acme.example'] } });
      expect(f.standIn.messages).toHaveLength(1);
      expect(f.standIn.messages[0]?.TextBody).toContain('101@acme');
      expect((delivered?.data as { providerMessageId: string }).providerMessageId).toBe(
        f.standIn.messages[0]?.MessageID,
      );
    });
  });

  describe('given an email already delivered', () => {
    it('is not sent again after a restart, even when the checkpoint was lost', async () => {
      const id = await f.userWithWelcome('ben@acme.example', '101');
      const first = await f.start();
      await waitFor(() => f.atHead());
      await first.stop();
      const lost = createSqliteCheckpointStore(join(f.dir, 'lost-checkpoint.db'));
      await f.start({ checkpoints: lost });
      const other = await f.userWithWelcome('bea@acme.example', '102');
      // Every event, the first welcome's included, handled again from the start of the log.
      await waitFor(() => f.atHead(lost));
      expect(f.standIn.messages.map((m) => m.To)).toEqual(['ben@acme.example', 'bea@acme.example']);
      expect(await f.outcomes(id)).toHaveLength(1);
      expect(await f.outcomes(other)).toHaveLength(1);
      await lost.close();
    });
  });

  describe('given the provider refuses a recipient', () => {
    it('records EmailDeliveryFailed with the code and a reason for an inactive recipient (406)', async () => {
      const id = await f.userWithWelcome('inactive@acme.example', '101');
      await f.start();
      await waitFor(async () => (await f.outcomes(id)).length === 1);
      expect((await f.outcomes(id))[0]).toMatchObject({ type: 'EmailDeliveryFailed', data: { errorCode: '406' } });
      expect(((await f.outcomes(id))[0]?.data as { reason: string }).reason).toMatch(/inactive/i);
    });
    it('records an invalid address (300) as failed too', async () => {
      const id = await f.userWithWelcome('invalid@acme.example', '101');
      await f.start();
      await waitFor(async () => (await f.outcomes(id)).length === 1);
      expect((await f.outcomes(id))[0]).toMatchObject({ type: 'EmailDeliveryFailed', data: { errorCode: '300' } });
    });
  });

  describe('given the provider is down for a while (5xx)', () => {
    it('keeps the email and sends it once the provider answers again', async () => {
      f.standIn.failNext(500, 4);
      const id = await f.userWithWelcome('ben@acme.example', '101');
      await f.start();
      await waitFor(async () => (await f.outcomes(id)).length === 1, 10_000);
      expect((await f.outcomes(id))[0]?.type).toBe('EmailDelivered');
      expect(f.standIn.calls.filter((c) => c.status === 500)).toHaveLength(4);
      expect(f.standIn.messages).toHaveLength(1);
    });
  });

  describe('given the designated email changed after a welcome email, before the reactor ran', () => {
    it('sends no link to the old address, only the notice that the email changed', async () => {
      const id = await f.userWithWelcome('ben@acme.example', '101');
      await changeEmailAddress(f.deps, { actor: SYSTEM }, id, {
        type: 'ChangeDesignatedEmail',
        email: 'ben.o@acme.example',
      });
      await f.start();
      await waitFor(() => f.atHead());
      expect(f.standIn.messages.map((m) => [m.Tag, m.To])).toEqual([['email-changed', 'ben@acme.example']]);
    });
  });

  describe('given a newer welcome email before the reactor ran', () => {
    it('sends only the newest link', async () => {
      const id = await f.userWithWelcome('ben@acme.example', '101');
      await sendWelcomeEmail(f.deps, { actor: SYSTEM }, id);
      await f.start();
      await waitFor(() => f.atHead());
      expect(f.standIn.messages).toHaveLength(1);
      expect(await f.outcomes(id)).toHaveLength(1);
    });
  });
});
