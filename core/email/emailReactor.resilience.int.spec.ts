import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountStream } from '../accounts/events.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { reactorFixture, waitFor, type ReactorFixture } from './testing/reactorFixture.js';

/** A reactor `sleep` that records each wait and returns at once, unless the reactor stops. */
const recordingSleep = () => {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number, signal: AbortSignal) => {
      delays.push(ms);
      signal.throwIfAborted();
    },
  };
};

const failure = (event: { data: unknown } | undefined) => event?.data as { errorCode: string; reason: string };

describe('the email reactor keeps going', () => {
  let f: ReactorFixture;
  beforeEach(async () => {
    f = await reactorFixture();
  });
  afterEach(() => f.close());

  describe('given one poisoned job among good ones in a batch', () => {
    it("records EmailDeliveryFailed for an account whose organization is missing, and the next user's email goes out", async () => {
      const orphan = randomUUID();
      await f.appendRaw(orphan, [
        f.opened(orphan, 'ann@acme.example', '150', 'org-that-was-never-registered'),
        f.welcome('inv-orphan', ['ann@acme.example']),
      ]);
      const next = await f.userWithWelcome('ben@acme.example', '101');
      await f.start();
      await waitFor(() => f.atHead());
      const [orphaned] = await f.outcomes(orphan);
      expect(orphaned?.type).toBe('EmailDeliveryFailed');
      expect(failure(orphaned)).toEqual({
        ...failure(orphaned),
        errorCode: 'ORGANIZATION_MISSING',
        reason: expect.stringMatching(/organization was not found/),
      });
      expect((await f.outcomes(next)).map((e) => e.type)).toEqual(['EmailDelivered']);
      expect(f.standIn.messages.map((m) => m.To)).toEqual(['ben@acme.example']);
    });

    it('passes by an event type no one knows, in the log and inside an account stream', async () => {
      const ann = randomUUID();
      await f.appendRaw(ann, [f.opened(ann, 'ann@acme.example', '150')]);
      await f.appendRaw(ann, [{ type: 'AccountHibernated', data: { by: 'a later version' } }]);
      await f.appendRaw(ann, [f.welcome('inv-ann', ['ann@acme.example'])]);
      const ben = await f.userWithWelcome('ben@acme.example', '101');
      await f.start();
      await waitFor(() => f.atHead());
      expect((await f.outcomes(ann)).map((e) => e.type)).toEqual(['EmailDelivered']);
      expect((await f.outcomes(ben)).map((e) => e.type)).toEqual(['EmailDelivered']);
    });

    it('records a message Postmark refuses (406) and sends the others of the same batch', async () => {
      const refused = await f.userWithWelcome('inactive@acme.example', '101');
      const next = await f.userWithWelcome('ben@acme.example', '102');
      await f.start();
      await waitFor(() => f.atHead());
      expect(f.standIn.calls.filter((c) => c.path === '/email/batch')).toHaveLength(1);
      expect(failure((await f.outcomes(refused))[0])).toMatchObject({ errorCode: '406' });
      expect((await f.outcomes(next)).map((e) => e.type)).toEqual(['EmailDelivered']);
    });

    it('records a job whose event names no recipient, without calling the provider for it', async () => {
      const ann = randomUUID();
      await f.appendRaw(ann, [f.opened(ann, 'ann@acme.example', '150'), f.welcome('inv-ann', [])]);
      const next = await f.userWithWelcome('ben@acme.example', '101');
      await f.start();
      await waitFor(() => f.atHead());
      expect(failure((await f.outcomes(ann))[0])).toMatchObject({ errorCode: 'NO_RECIPIENTS' });
      expect(f.standIn.messages.map((m) => m.To)).toEqual(['ben@acme.example']);
      expect((await f.outcomes(next)).map((e) => e.type)).toEqual(['EmailDelivered']);
    });
  });

  describe('given the provider refuses a whole batch for good (HTTP 422, 401)', () => {
    it("records a failure for each of its emails, and a later batch's email goes out", async () => {
      f.standIn.failNext(422, 1);
      const first = await f.userWithWelcome('ben@acme.example', '101');
      const second = await f.userWithWelcome('bea@acme.example', '102');
      const reactor = await f.start();
      await waitFor(() => f.atHead());
      for (const id of [first, second]) {
        expect(failure((await f.outcomes(id))[0])).toMatchObject({ errorCode: 'HTTP_422' });
      }
      const later = await f.userWithWelcome('cy@acme.example', '103');
      await waitFor(() => f.atHead());
      expect((await f.outcomes(later)).map((e) => e.type)).toEqual(['EmailDelivered']);
      // Sends only: the jobs there before the start were looked up first (searches).
      expect(f.standIn.calls.filter((c) => c.method === 'POST').map((c) => c.status)).toEqual([422, 200]);
      await reactor.stop();
    });

    it('explains a server token Postmark does not accept', async () => {
      const id = await f.userWithWelcome('ben@acme.example', '101');
      await f.start({}, { serverToken: 'a-token-postmark-does-not-know' });
      await waitFor(() => f.atHead());
      expect(failure((await f.outcomes(id))[0])).toMatchObject({
        errorCode: 'HTTP_401',
        reason: expect.stringMatching(/POSTMARK_SERVER_TOKEN/),
      });
    });
  });

  describe('given the provider cannot take the batch now, after the sender gave up', () => {
    it('records nothing, tries again after growing delays, and sends the email once the provider is back', async () => {
      f.standIn.failNext(503, 6); // the sender tries twice per round: three rounds fail
      const id = await f.userWithWelcome('ben@acme.example', '101');
      const { delays, sleep } = recordingSleep();
      await f.start({ sleep, retry: { initialMs: 1000, maxMs: 60_000 } });
      await waitFor(() => f.atHead());
      expect((await f.outcomes(id)).map((e) => e.type)).toEqual(['EmailDelivered']);
      expect(f.standIn.messages).toHaveLength(1);
      expect(delays).toHaveLength(3);
      expect(delays[0]).toBeGreaterThanOrEqual(500);
      expect(delays[1]).toBeGreaterThanOrEqual(delays[0]!);
      expect(delays[2]).toBeGreaterThanOrEqual(2000);
    });

    it("waits at least Postmark's Retry-After when it is longer than the sender waits in-process", async () => {
      f.standIn.failNext(429, 1, { 'retry-after': '120' });
      const id = await f.userWithWelcome('ben@acme.example', '101');
      const { delays, sleep } = recordingSleep();
      await f.start({ sleep });
      await waitFor(() => f.atHead());
      expect(delays).toEqual([expect.any(Number)]);
      expect(delays[0]).toBeGreaterThanOrEqual(120_000);
      expect((await f.outcomes(id)).map((e) => e.type)).toEqual(['EmailDelivered']);
    });

    it('waits on a timer: other work on the thread goes on, and stop() does not wait the delay out', async () => {
      f.standIn.failNext(503, 100);
      await f.userWithWelcome('ben@acme.example', '101');
      const reactor = await f.start({ retry: { initialMs: 60_000, maxMs: 60_000 } });
      const sends = () => f.standIn.calls.filter((c) => c.method === 'POST');
      await waitFor(() => sends().length >= 2);
      const tick = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(Date.now() - tick).toBeLessThan(500);
      const stopping = Date.now();
      await reactor.stop();
      expect(Date.now() - stopping).toBeLessThan(1000);
      expect(await f.atHead()).toBe(false);
      expect(sends()).toHaveLength(2);
    });
  });

  describe('given a user changes the account between the read and the append of its outcome', () => {
    it('decides again on the fresh stream: the outcome is recorded once and the change is kept', async () => {
      const id = await f.userWithWelcome('ben@acme.example', '101');
      let raced = false;
      const racing: EventStore = {
        ...f.store,
        async appendBatch(appends) {
          if (!raced && appends.some((a) => a.streamName === accountStream(id))) {
            raced = true;
            const metadata = { occurredAt: new Date().toISOString(), actor: id, correlationId: randomUUID() };
            await f.store.appendToStream(accountStream(id), [
              { id: randomUUID(), type: 'SecondaryEmailAdded', data: { email: 'ben@home.example', by: id }, metadata },
            ]);
          }
          return f.store.appendBatch(appends);
        },
      };
      await f.start({ store: racing });
      await waitFor(() => f.atHead());
      expect(raced).toBe(true);
      const stream = await f.store.readStream(accountStream(id));
      expect(stream.map((e) => e.type).slice(-2)).toEqual(['SecondaryEmailAdded', 'EmailDelivered']);
      expect(f.standIn.messages).toHaveLength(1);
    });
  });
});
