import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WrongExpectedRevisionError, type EventStore, type NewEvent, type RecordedEvent } from './eventStore.js';
import { createUpcast, type Upcast } from './upcasting.js';

export interface EventStoreContractOptions {
  /** a fresh, empty store; for a shared server, streams get unique names so old data does not matter */
  factory: () => Promise<EventStore>;
  /** a second handle on the same storage, as another process would open it */
  secondHandle?: () => Promise<EventStore>;
  /** a fresh store that reads through these upcasting rules */
  withUpcast?: (upcast: Upcast) => Promise<EventStore>;
}

const event = (type = 'Something', data: unknown = { n: 1 }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { occurredAt: new Date().toISOString(), actor: 'system', correlationId: randomUUID() },
});

const waitFor = async (check: () => boolean, timeoutMs = 5000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** One suite, run against every adapter (emmett's `testEventStoreContract`). */
export function testEventStoreContract(name: string, options: EventStoreContractOptions) {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    let stream: string;
    beforeEach(async () => {
      store = await options.factory();
      stream = `test-${randomUUID()}`;
    });
    afterEach(async () => store.close());

    describe.runIf(options.withUpcast)('a stored shape that an upcasting rule maps', () => {
      // `ModelChanged` once stored `{ colour }`; the code now reads `{ color, version }`.
      const upcast = createUpcast({ ModelChanged: [({ colour, ...rest }) => ({ ...rest, color: colour, version: 2 })] });
      it('reads in today\'s shape through every read path, and leaves other types alone', async () => {
        const upcasting = await options.withUpcast!(upcast);
        try {
          await upcasting.appendToStream(stream, [event('ModelChanged', { colour: 'red' }), event('Other', { colour: 'blue' })]);
          const expected = [{ color: 'red', version: 2 }, { colour: 'blue' }];
          expect((await upcasting.readStream(stream)).map((e) => e.data)).toEqual(expected);
          expect((await upcasting.readStreams([stream])).get(stream)!.map((e) => e.data)).toEqual(expected);
          const all = (await upcasting.readAll({ maxCount: 10_000 })).filter((e) => e.streamName === stream);
          expect(all.map((e) => e.data)).toEqual(expected);
          const seen: RecordedEvent[] = [];
          const sub = upcasting.subscribe({ onEvents: async (events) => void seen.push(...events.filter((e) => e.streamName === stream)) });
          await waitFor(() => seen.length === 2);
          await sub.close();
          expect(seen.map((e) => e.data)).toEqual(expected);
        } finally {
          await upcasting.close();
        }
      });
    });

    describe('an absent stream', () => {
      it('reads as empty', async () => {
        expect(await store.readStream(stream)).toEqual([]);
      });
      it('accepts an append expecting no stream, and its first revision is 0', async () => {
        const result = await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        expect(result.nextRevision).toBe(0n);
      });
      it('rejects an append expecting the stream to exist', async () => {
        await expect(
          store.appendToStream(stream, [event()], { expectedRevision: 'stream_exists' }),
        ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      });
      it('rejects an append expecting an exact revision', async () => {
        await expect(store.appendToStream(stream, [event()], { expectedRevision: 0n })).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
      });
    });

    describe('a stream with two events', () => {
      beforeEach(async () => {
        await store.appendToStream(stream, [event('A', { a: 1 }), event('B', { b: 'two' })]);
      });
      it('reads them back in order with their data and revisions', async () => {
        const read = await store.readStream(stream);
        expect(read.map((e) => [e.type, e.data, e.revision, e.streamName])).toEqual([
          ['A', { a: 1 }, 0n, stream],
          ['B', { b: 'two' }, 1n, stream],
        ]);
      });
      it('reads from a revision', async () => {
        const read = await store.readStream(stream, { fromRevision: 1n });
        expect(read.map((e) => e.type)).toEqual(['B']);
      });
      it('accepts the exact current revision and rejects a stale one', async () => {
        await store.appendToStream(stream, [event('C')], { expectedRevision: 1n });
        await expect(store.appendToStream(stream, [event('D')], { expectedRevision: 1n })).rejects.toMatchObject({
          name: 'WrongExpectedRevisionError',
          actual: 2n,
        });
      });
      it('rejects no_stream', async () => {
        await expect(
          store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' }),
        ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      });
      it('accepts stream_exists and any', async () => {
        await store.appendToStream(stream, [event()], { expectedRevision: 'stream_exists' });
        const result = await store.appendToStream(stream, [event()], { expectedRevision: 'any' });
        expect(result.nextRevision).toBe(3n);
      });
    });

    describe('idempotent appends', () => {
      it('appending the same event ids again stores nothing new', async () => {
        const events = [event('A'), event('B')];
        const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(again.nextRevision).toBe(first.nextRevision);
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('reservations', () => {
      it('only one of two concurrent no_stream appends wins', async () => {
        const results = await Promise.allSettled([
          store.appendToStream(stream, [event('Reserved')], { expectedRevision: 'no_stream' }),
          store.appendToStream(stream, [event('Reserved')], { expectedRevision: 'no_stream' }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('batch append', () => {
      it('applies each append on its own: a conflict rejects only its own stream', async () => {
        const other = `${stream}-other`;
        await store.appendToStream(other, [event()]);
        const outcomes = await store.appendBatch([
          { streamName: stream, events: [event('X')], expectedRevision: 'no_stream' },
          { streamName: other, events: [event('Y')], expectedRevision: 'no_stream' },
        ]);
        expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
        expect(outcomes[1]).toMatchObject({ ok: false, error: { name: 'WrongExpectedRevisionError' } });
        expect(await store.readStream(stream)).toHaveLength(1);
        expect(await store.readStream(other)).toHaveLength(1);
      });
    });

    describe('reading several streams', () => {
      it('returns each stream in revision order, and [] for an absent one', async () => {
        await store.appendToStream(`${stream}-a`, [event('A1'), event('A2')]);
        await store.appendToStream(`${stream}-b`, [event('B1')]);
        const read = await store.readStreams([`${stream}-a`, `${stream}-b`, `${stream}-none`]);
        expect(read.get(`${stream}-a`)?.map((e) => e.type)).toEqual(['A1', 'A2']);
        expect(read.get(`${stream}-b`)?.map((e) => e.type)).toEqual(['B1']);
        expect(read.get(`${stream}-none`)).toEqual([]);
      });
    });

    describe('reading all', () => {
      it('returns events of every stream in global order, after an opaque position', async () => {
        const a = await store.appendToStream(`${stream}-a`, [event('A1')]);
        await store.appendToStream(`${stream}-b`, [event('B1')]);
        await store.appendToStream(`${stream}-a`, [event('A2')]);
        const all = (await store.readAll({ after: a.position, maxCount: 10_000 })).filter((e) =>
          e.streamName.startsWith(stream),
        );
        expect(all.map((e) => e.type)).toEqual(['B1', 'A2']);
        expect(store.comparePositions(all[0]!.position, all[1]!.position)).toBeLessThan(0);
      });

      it('with a stream-prefix hint, misses no event of those streams, page after page', async () => {
        const start = await store.appendToStream(`${stream}-start`, [event('Start')]);
        await store.appendToStream(`${stream}-a`, [event('A1')]);
        await store.appendToStream(`${stream}-b`, [event('B1')]);
        await store.appendToStream(`${stream}-c`, [event('C1')]);
        await store.appendToStream(`${stream}-a`, [event('A2')]);
        const streamPrefixes = [`${stream}-a`, `${stream}-c`];
        const wanted = (e: RecordedEvent) => streamPrefixes.some((p) => e.streamName.startsWith(p));
        const read: RecordedEvent[] = [];
        for (let after = start.position; ; ) {
          const page = await store.readAll({ after, maxCount: 2, streamPrefixes });
          if (page.length === 0) break;
          read.push(...page);
          after = page[page.length - 1]!.position;
        }
        expect(read.filter(wanted).map((e) => e.type)).toEqual(['A1', 'C1', 'A2']);
      });
    });

    describe('subscriptions', () => {
      it('deliver past and new events, from a checkpoint, in order', async () => {
        const first = await store.appendToStream(stream, [event('Before')]);
        const seen: RecordedEvent[] = [];
        const sub = store.subscribe({
          after: first.position,
          onEvents: async (events) => {
            seen.push(...events.filter((e) => e.streamName === stream));
          },
        });
        await store.appendToStream(stream, [event('After1'), event('After2')]);
        await waitFor(() => seen.length >= 2);
        await sub.close();
        expect(seen.map((e) => e.type)).toEqual(['After1', 'After2']);
      });

      it('redeliver a batch whose handler failed (at least once)', async () => {
        await store.appendToStream(stream, [event('Once')]);
        let calls = 0;
        const sub = store.subscribe({
          onEvents: async (events) => {
            if (!events.some((e) => e.streamName === stream)) return;
            calls += 1;
            if (calls === 1) throw new Error('handler crashed');
          },
        });
        await waitFor(() => calls >= 2);
        await sub.close();
        expect(calls).toBe(2);
      });

      if (options.secondHandle) {
        const secondHandle = options.secondHandle;
        it('see events appended through another handle (another process)', async () => {
          const seen: string[] = [];
          const sub = store.subscribe({
            onEvents: async (events) => {
              seen.push(...events.filter((e) => e.streamName === stream).map((e) => e.type));
            },
          });
          const other = await secondHandle();
          await other.appendToStream(stream, [event('FromElsewhere')]);
          await other.close();
          await waitFor(() => seen.length === 1);
          await sub.close();
          expect(seen).toEqual(['FromElsewhere']);
        });
      }
    });
  });
}
