import { randomUUID } from 'node:crypto';
import { accountStream } from '../accounts/events.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailProviderError, type EmailSender, type OutgoingEmail } from './emailSender.js';
import { reactorFixture, waitFor, type ReactorFixture } from './testing/reactorFixture.js';

const batchCalls = (f: ReactorFixture) => f.standIn.calls.filter((c) => c.path === '/email/batch' && c.status === 200);

/** A sender that hands each call to `around`, which decides whether and when the real client gets it. */
const wrapped = (
  real: EmailSender,
  around: (emails: OutgoingEmail[], send: () => Promise<unknown>) => Promise<void>,
) => {
  const sender: EmailSender = {
    async sendBatch(emails) {
      let results: Awaited<ReturnType<EmailSender['sendBatch']>> = [];
      await around(emails, async () => (results = await real.sendBatch(emails)));
      return results;
    },
  };
  return sender;
};

describe('the email reactor fills provider calls', () => {
  let f: ReactorFixture;
  beforeEach(async () => {
    f = await reactorFixture();
  });
  afterEach(() => f.close());

  /** Outcomes per account, for accounts that have one. */
  const outcomeCounts = async (ids: string[]) => {
    const streams = await f.store.readStreams(ids.map(accountStream));
    return ids.map((id) => streams.get(accountStream(id))!.filter((e) => e.type === 'EmailDelivered').length);
  };

  const stray = () => f.appendRaw(randomUUID(), [{ type: 'AccountHibernated', data: { by: 'a later version' } }]);

  describe('given 1,001 welcome emails with a stray non-email event among them', () => {
    it('hands them over in ⌈1,001/500⌉ = 3 calls when they wait for the reactor', async () => {
      const ids = [
        ...(await f.accountsWithWelcome(500)),
        ...(await stray().then(() => f.accountsWithWelcome(501, 500))),
      ];
      await f.start();
      await waitFor(() => f.atHead(), 20_000);
      // Up to three are in flight at once: the one-message call may well arrive first.
      expect(
        batchCalls(f)
          .map((c) => c.messageCount)
          .sort((a, b) => b - a),
      ).toEqual([500, 500, 1]);
      // No checkpoint yet, so every job was in doubt: the lookups are searches, never extra sends.
      expect(f.standIn.calls.filter((c) => c.method === 'POST')).toHaveLength(3);
      expect(await outcomeCounts(ids)).toEqual(ids.map(() => 1));
    });

    it('hands them over in 3 calls when they arrive while the reactor runs', async () => {
      await f.start();
      const ids = await f.accountsWithWelcome(500);
      await stray();
      ids.push(...(await f.accountsWithWelcome(501, 500)));
      await waitFor(() => f.atHead(), 20_000);
      expect(
        batchCalls(f)
          .map((c) => c.messageCount)
          .sort((a, b) => b - a),
      ).toEqual([500, 500, 1]);
      expect(await outcomeCounts(ids)).toEqual(ids.map(() => 1));
    });
  });

  describe('given 1,500 emails whose last chunk the provider cannot take for now', () => {
    it("records the earlier chunks' outcomes meanwhile, keeps the checkpoint before the failing one, and finishes once it heals", async () => {
      const ids = await f.accountsWithWelcome(1500);
      const failing = new Set(ids.slice(1000).map((_, i) => `user${1000 + i}@acme.example`));
      let down = true;
      const sender = wrapped(f.sender(), async (emails, send) => {
        if (down && emails.some((e) => failing.has(e.to[0]!))) throw new EmailProviderError('HTTP 503', 503, true);
        await send();
      });
      await f.start({ sender });
      await waitFor(async () => (await outcomeCounts(ids.slice(0, 1000))).every((n) => n === 1), 20_000);
      expect(await f.atHead()).toBe(false);
      expect((await outcomeCounts(ids.slice(1000))).every((n) => n === 0)).toBe(true);
      down = false;
      await waitFor(() => f.atHead(), 20_000);
      expect(await outcomeCounts(ids)).toEqual(ids.map(() => 1));
      expect(f.standIn.messages).toHaveLength(1500);
    });
  });

  describe('given a run of 2,000 emails stopped in the middle', () => {
    it('on a graceful stop, records every email that went out; a restart sends each of the rest once', async () => {
      const ids = await f.accountsWithWelcome(2000);
      // Every call after the first is held at the provider until the stop has begun: the stop lands
      // with chunks in flight, by construction rather than by a delay.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let calls = 0;
      const held = wrapped(f.sender(), async (_emails, send) => {
        if (calls++ > 0) await gate;
        await send();
      });
      const first = await f.start({ sender: held, inFlight: 2 });
      await waitFor(() => f.standIn.messages.length >= 500 && calls > 1, 20_000);
      const stopping = first.stop();
      release();
      await stopping;
      const sentBeforeStop = f.standIn.messages.length;
      expect(sentBeforeStop).toBeLessThan(2000);
      expect((await outcomeCounts(ids)).filter((n) => n === 1)).toHaveLength(sentBeforeStop);
      await f.start();
      await waitFor(() => f.atHead(), 20_000);
      expect(new Set(f.standIn.messages.map((m) => m.To)).size).toBe(2000);
      expect(f.standIn.messages).toHaveLength(2000);
      expect(await outcomeCounts(ids)).toEqual(ids.map(() => 1));
    });

    it('after a crash between the provider taking a chunk and its outcomes being recorded, records that chunk as delivered and sends none of it again', async () => {
      const ids = await f.accountsWithWelcome(1500);
      let calls = 0;
      let hung: string[] = [];
      let crash: (error: Error) => void = () => undefined;
      const dying = wrapped(f.sender(), async (emails, send) => {
        await send();
        if (++calls !== 2) return;
        // Postmark took it; the process dies before the answer is handled.
        hung = emails.map((e) => e.to[0]!);
        await new Promise<void>((_, reject) => (crash = reject));
      });
      const first = await f.start({ sender: dying });
      await waitFor(async () => (await outcomeCounts(ids)).filter((n) => n === 1).length === 1000, 20_000);
      const stopped = first.stop();
      crash(new Error('the process died'));
      await stopped;
      expect(hung).toHaveLength(500);
      expect(await f.atHead()).toBe(false);

      await f.start();
      await waitFor(() => f.atHead(), 20_000);
      expect(await outcomeCounts(ids)).toEqual(ids.map(() => 1));
      const sent = f.standIn.messages.map((m) => m.To!);
      expect(sent).toHaveLength(1500);
      expect(new Set(sent).size).toBe(1500);
      // The outcomes of the chunk the crash left unrecorded carry the ids Postmark gave its messages.
      const idOf = new Map(f.standIn.messages.map((m) => [m.To!, m.MessageID]));
      const streams = await f.store.readStreams(ids.map(accountStream));
      const recorded = [...streams.values()].flatMap((events) => events.filter((e) => e.type === 'EmailDelivered'));
      const hungRecorded = recorded.filter((e) => hung.includes((e.data as { to: string[] }).to[0]!));
      expect(hungRecorded).toHaveLength(500);
      for (const e of hungRecorded) {
        const data = e.data as { to: string[]; providerMessageId: string };
        expect(data.providerMessageId).toBe(idOf.get(data.to[0]!));
      }
    });
  });
});
