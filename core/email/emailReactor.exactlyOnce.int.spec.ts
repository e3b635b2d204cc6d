import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountStream } from '../accounts/events.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import { EmailProviderError, type EmailSender, type OutgoingEmail } from './emailSender.js';
import { reactorFixture, waitFor, type ReactorFixture } from './testing/reactorFixture.js';

/** A sender that hands each send to `around`; the lookup is the real one unless `lookup` is false. */
const wrapped = (
  real: EmailSender,
  around: (emails: OutgoingEmail[], send: () => Promise<void>) => Promise<void>,
  lookup = true,
): EmailSender => ({
  async sendBatch(emails) {
    let results: Awaited<ReturnType<EmailSender['sendBatch']>> = [];
    await around(emails, async () => void (results = await real.sendBatch(emails)));
    return results;
  },
  ...(lookup && real.findAccepted ? { findAccepted: real.findAccepted.bind(real) } : {}),
});

const recordingLog = () => {
  const messages: string[] = [];
  const log: Logger = {
    info: (_, m) => messages.push(m ?? ''),
    warn: (_, m) => messages.push(m ?? ''),
    error: (_, m) => messages.push(m ?? ''),
  };
  return { log, messages };
};

describe('the email reactor hands each email over once', () => {
  let f: ReactorFixture;
  beforeEach(async () => {
    f = await reactorFixture();
  });
  afterEach(() => f.close());

  const sends = () => f.standIn.calls.filter((c) => c.path === '/email/batch');
  const searches = () => f.standIn.calls.filter((c) => c.path === '/messages/outbound');
  const delivered = async (ids: string[]) => {
    const streams = await f.store.readStreams(ids.map(accountStream));
    return ids.map((id) => streams.get(accountStream(id))!.filter((e) => e.type === 'EmailDelivered'));
  };
  /** Each account has exactly one EmailDelivered, naming the message Postmark took for it. */
  const expectOnceEach = async (ids: string[]) => {
    const idOf = new Map(f.standIn.messages.map((m) => [m.To!, m.MessageID]));
    for (const outcomes of await delivered(ids)) {
      expect(outcomes).toHaveLength(1);
      const data = outcomes[0]!.data as { to: string[]; providerMessageId: string };
      expect(data.providerMessageId).toBe(idOf.get(data.to[0]!));
    }
    const to = f.standIn.messages.map((m) => m.To);
    expect(new Set(to).size).toBe(to.length);
  };

  describe('given Postmark took both chunks but their outcomes could not be recorded before the reactor stopped', () => {
    it('a new reactor on the same data records them as delivered and sends none again', async () => {
      const ids = await f.accountsWithWelcome(600);
      let appendsFailed = 0;
      const failingOutcomes: EventStore = {
        ...f.store,
        async appendBatch(appends) {
          if (appends.some((a) => a.events.some((e) => e.type === 'EmailDelivered'))) {
            appendsFailed++;
            throw new Error('the disk is full');
          }
          return f.store.appendBatch(appends);
        },
      };
      const first = await f.start({ store: failingOutcomes, retry: { initialMs: 60_000, maxMs: 60_000 } });
      await waitFor(() => f.standIn.messages.length === 600 && appendsFailed >= 2, 20_000);
      await first.stop();
      expect(await f.atHead()).toBe(false);
      expect((await delivered(ids)).flat()).toHaveLength(0);
      expect(sends()).toHaveLength(2);

      await f.start();
      await waitFor(() => f.atHead(), 20_000);
      expect(f.standIn.messages).toHaveLength(600);
      expect(sends()).toHaveLength(2);
      expect(searches().length).toBeGreaterThan(0);
      await expectOnceEach(ids);
    });
  });

  describe('given a call that got no answer after Postmark had taken the chunk', () => {
    it('looks the chunk up before trying again, records it, and sends nothing twice', async () => {
      await f.start({
        sender: wrapped(f.sender(), async (_emails, send) => {
          await send();
          if (sends().length === 1) throw new EmailProviderError('Postmark batch failed (HTTP none)', 0, true);
        }),
      });
      // After the start: not in doubt until the call fails.
      const ids = await f.accountsWithWelcome(500);
      await waitFor(() => f.atHead(), 20_000);
      expect(sends()).toHaveLength(1);
      expect(searches()).toHaveLength(1);
      await expectOnceEach(ids);
    });

    it('while the lookup cannot answer, waits and asks again: nothing in doubt is sent blindly', async () => {
      f.standIn.failNext(503, 4, {}, 'search'); // the sender tries twice per round: two rounds fail
      await f.start({
        sender: wrapped(f.sender(), async (_emails, send) => {
          await send();
          if (sends().length === 1) throw new EmailProviderError('Postmark batch failed (HTTP 502)', 502, true);
        }),
      });
      const ids = await f.accountsWithWelcome(20);
      await waitFor(() => f.atHead(), 20_000);
      expect(searches().map((c) => c.status)).toEqual([503, 503, 503, 503, 200]);
      expect(sends()).toHaveLength(1);
      await expectOnceEach(ids);
    });

    it('does not look up a chunk the provider refused with 429: it took nothing', async () => {
      f.standIn.failNext(429, 2);
      await f.start();
      const ids = await f.accountsWithWelcome(10);
      await waitFor(() => f.atHead(), 20_000);
      expect(searches()).toHaveLength(0);
      expect(sends().map((c) => c.status)).toEqual([429, 429, 200]);
      await expectOnceEach(ids);
    });

    it('with a sender that has no lookup, sends the chunk again, as before (at least once)', async () => {
      await f.start({
        sender: wrapped(
          f.sender(),
          async (_emails, send) => {
            await send();
            if (sends().length === 1) throw new EmailProviderError('Postmark batch failed (HTTP none)', 0, true);
          },
          false,
        ),
      });
      await f.accountsWithWelcome(5);
      await waitFor(() => f.atHead(), 20_000);
      expect(f.standIn.messages).toHaveLength(10);
      expect(searches()).toHaveLength(0);
    });
  });

  describe('given the reactor no longer leads (stillLeading answers false)', () => {
    it('asks before the first provider call, then sends nothing, records nothing and keeps the checkpoint', async () => {
      await f.accountsWithWelcome(3);
      const { log, messages } = recordingLog();
      let asked = 0;
      const reactor = await f.start({ log, stillLeading: async () => (asked++, false) });
      await waitFor(() => messages.includes('email reactor no longer leads: stopped, nothing more sent or recorded'));
      await reactor.stop();
      expect(asked).toBe(1);
      expect(f.standIn.calls).toHaveLength(0);
      expect(await f.checkpoints.load('email-reactor')).toBeUndefined();
    });

    it('losing the lead while a chunk is at the provider records nothing after; the next leader records that chunk, sending none again', async () => {
      const { log, messages } = recordingLog();
      let asks = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const first = await f.start({
        log,
        // Yes for the first chunk's call, no for the second's: the lease went elsewhere in between.
        stillLeading: async () => ++asks === 1,
        sender: wrapped(f.sender(), async (_emails, send) => {
          await send();
          await gate; // Postmark took the chunk; its answer is on the way
        }),
      });
      await waitFor(() => f.atHead());
      const checkpoint = await f.checkpoints.load('email-reactor');
      const ids = await f.accountsWithWelcome(700);
      await waitFor(
        () => messages.includes('email reactor no longer leads: stopped, nothing more sent or recorded'),
        20_000,
      );
      release();
      await first.stop();
      expect(asks).toBe(2);
      expect(sends()).toHaveLength(1);
      expect(f.standIn.messages).toHaveLength(500);
      expect((await delivered(ids)).flat()).toHaveLength(0);
      expect(await f.checkpoints.load('email-reactor')).toBe(checkpoint);

      await f.start({ stillLeading: async () => true });
      await waitFor(() => f.atHead(), 20_000);
      expect(f.standIn.messages).toHaveLength(700);
      expect(sends()).toHaveLength(2);
      await expectOnceEach(ids);
    });
  });
});
