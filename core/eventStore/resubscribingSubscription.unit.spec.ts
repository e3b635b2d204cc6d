import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedEvent, Subscription } from './eventStore.js';
import { resubscribingSubscription, type SubscriptionSource } from './resubscribingSubscription.js';

/** Raw items as a server would push them: a number is an event at that position, `'$'` a system event. */
type Raw = number | '$';

const eventAt = (n: number): RecordedEvent => ({
  id: `e${n}`,
  type: 'Something',
  data: {},
  metadata: { occurredAt: '2026-11-26T09:00:00Z', actor: 'system', correlationId: 'c' },
  streamName: 's',
  revision: BigInt(n),
  position: String(n),
});

/** A fake server: every `open` gets a fresh stream, and the test pushes into the newest one. */
function fakeServer() {
  const opened: { after: string | undefined; stream: PassThrough; closed: boolean }[] = [];
  return {
    opened,
    open(after: string | undefined): SubscriptionSource {
      const entry = { after, stream: new PassThrough({ objectMode: true }), closed: false };
      opened.push(entry);
      return {
        stream: entry.stream,
        close: async () => {
          entry.closed = true;
          entry.stream.destroy();
        },
      };
    },
    get current() {
      return opened[opened.length - 1]!.stream;
    },
  };
}

const waitFor = async (check: () => boolean, what: string) => {
  const until = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

function recordingLog() {
  const warnings: { obj: Record<string, unknown>; msg?: string }[] = [];
  const log = {
    info: () => {},
    error: () => {},
    warn: (obj: object, msg?: string) => warnings.push({ obj: obj as Record<string, unknown>, msg }),
  };
  return { log, warnings };
}

describe('given a subscription on a server that pushes events', () => {
  let subscription: Subscription | undefined;
  afterEach(async () => subscription?.close());

  it('hands over what arrived while the handler ran as the next batch, without system events', async () => {
    const server = fakeServer();
    const batches: number[][] = [];
    let release!: () => void;
    const firstHandled = new Promise<void>((r) => (release = r));
    subscription = resubscribingSubscription<Raw>({
      open: (after) => server.open(after),
      map: (raw) => (raw === '$' ? undefined : eventAt(raw)),
      comparePositions: (a, b) => Number(a) - Number(b),
      log: recordingLog().log,
      onEvents: async (events) => {
        batches.push(events.map((e) => Number(e.position)));
        if (batches.length === 1) await firstHandled;
      },
    });
    server.current.write(1);
    await waitFor(() => batches.length === 1, 'the first batch');
    for (const raw of [2, '$', 3, 4] as Raw[]) server.current.write(raw);
    release();
    await waitFor(() => batches.length === 2, 'the second batch');
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits a backlog into batches of at most batchSize', async () => {
    const server = fakeServer();
    const batches: number[][] = [];
    subscription = resubscribingSubscription<Raw>({
      open: (after) => server.open(after),
      map: (raw) => (raw === '$' ? undefined : eventAt(raw)),
      comparePositions: (a, b) => Number(a) - Number(b),
      log: recordingLog().log,
      batchSize: 2,
      onEvents: async (events) => {
        batches.push(events.map((e) => Number(e.position)));
      },
    });
    for (const n of [1, 2, 3, 4, 5]) server.current.write(n);
    await waitFor(() => batches.flat().length === 5, 'five events');
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('given a subscription whose connection drops', () => {
  it('logs the drop, resubscribes from the last handled position with a growing backoff, and skips what it saw', async () => {
    const server = fakeServer();
    const { log, warnings } = recordingLog();
    const seen: number[] = [];
    const subscription = resubscribingSubscription<Raw>({
      open: (after) => server.open(after),
      map: (raw) => (raw === '$' ? undefined : eventAt(raw)),
      comparePositions: (a, b) => Number(a) - Number(b),
      log,
      backoff: { initialMs: 10, maxMs: 1000 },
      onEvents: async (events) => {
        seen.push(...events.map((e) => Number(e.position)));
      },
    });
    server.current.write(1);
    server.current.write(2);
    await waitFor(() => seen.length === 2, 'two events');
    server.current.destroy(new Error('UNAVAILABLE: connection reset'));
    await waitFor(() => server.opened.length === 2, 'a second subscription');
    server.current.destroy(new Error('UNAVAILABLE: still down'));
    await waitFor(() => server.opened.length === 3, 'a third subscription');
    // A server that counts the start position as inclusive sends 2 again: it is not handled twice.
    server.current.write(2);
    server.current.write(3);
    await waitFor(() => seen.length === 3, 'the third event');
    await subscription.close();

    expect(seen).toEqual([1, 2, 3]);
    expect(server.opened.map((o) => o.after)).toEqual([undefined, '2', '2']);
    expect(server.opened.every((o) => o.closed)).toBe(true);
    expect(warnings.map((w) => [w.msg, w.obj.err, w.obj.after, w.obj.delayMs])).toEqual([
      ['subscription dropped; resubscribing from the last handled position', 'UNAVAILABLE: connection reset', '2', 10],
      ['subscription dropped; resubscribing from the last handled position', 'UNAVAILABLE: still down', '2', 20],
    ]);
  });

  it('treats a server that ends the subscription as a drop too', async () => {
    const server = fakeServer();
    const { log, warnings } = recordingLog();
    const subscription = resubscribingSubscription<Raw>({
      open: (after) => server.open(after),
      map: (raw) => (raw === '$' ? undefined : eventAt(raw)),
      comparePositions: (a, b) => Number(a) - Number(b),
      log,
      backoff: { initialMs: 5, maxMs: 5 },
      onEvents: async () => {},
    });
    server.current.end();
    await waitFor(() => server.opened.length === 2, 'a resubscription');
    await subscription.close();
    expect(warnings[0]?.obj.err).toBe('the server ended the subscription');
  });
});

describe('given a handler that fails once', () => {
  it('reports the failure (not as a drop) and delivers the same batch again', async () => {
    const server = fakeServer();
    const { log, warnings } = recordingLog();
    const errors: unknown[] = [];
    const deliveries: number[][] = [];
    const subscription = resubscribingSubscription<Raw>({
      open: (after) => {
        const source = server.open(after);
        // the server replays everything after the checkpoint on each subscription
        for (const n of [1, 2]) if (after === undefined || n > Number(after)) server.current.write(n);
        return source;
      },
      map: (raw) => (raw === '$' ? undefined : eventAt(raw)),
      comparePositions: (a, b) => Number(a) - Number(b),
      log,
      backoff: { initialMs: 5, maxMs: 5 },
      onError: (error) => errors.push(error),
      onEvents: async (events) => {
        deliveries.push(events.map((e) => Number(e.position)));
        if (deliveries.length === 1) throw new Error('read model unavailable');
      },
    });
    await waitFor(() => deliveries.length === 2, 'a redelivery');
    await subscription.close();
    expect(deliveries).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect((errors[0] as Error).message).toBe('read model unavailable');
    expect(warnings).toEqual([]);
  });
});

describe('given a handler in flight when the subscription is closed', () => {
  it('close resolves only after the handler finished, and nothing else is handled', async () => {
    const server = fakeServer();
    let finished = false;
    let handled = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const subscription = resubscribingSubscription<Raw>({
      open: (after) => server.open(after),
      map: (raw) => (raw === '$' ? undefined : eventAt(raw)),
      comparePositions: (a, b) => Number(a) - Number(b),
      log: recordingLog().log,
      onEvents: async () => {
        handled += 1;
        await gate;
        finished = true;
      },
    });
    server.current.write(1);
    await waitFor(() => handled === 1, 'the handler to start');
    server.current.write(2);
    const closing = subscription.close();
    setTimeout(release, 20);
    await closing;
    expect(finished).toBe(true);
    expect(handled).toBe(1);
  });
});
