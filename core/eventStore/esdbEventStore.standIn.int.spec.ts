import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createEsdbEventStore } from './esdbEventStore.js';
import type { EventStore, NewEvent } from './eventStore.js';
import { startEsdbStandIn, type EsdbStandIn } from './testing/esdbStandIn.js';

/**
 * What the adapter must do beyond the shared contract, on the failures a real server produces and the
 * contract cannot: a BatchAppend call dropped around a write, a tombstoned stream among many, a server
 * that reports no positions. Played by the protocol stand-in (testing/esdbStandIn.ts) through the real
 * client; the stand-in cites where each failure's shape comes from.
 */
const event = (type = 'Something'): NewEvent => ({
  id: randomUUID(),
  type,
  data: { n: 1 },
  metadata: { occurredAt: '2026-11-26T09:00:00Z', actor: 'system', correlationId: randomUUID() },
});

let standIn: EsdbStandIn;
let store: EventStore;
beforeAll(async () => {
  standIn = await startEsdbStandIn();
});
afterAll(async () => standIn.close());
afterEach(async () => store?.close());

const open = (connectionString = standIn.connectionString) => {
  store = createEsdbEventStore({ connectionString, log: silentLogger });
  return store;
};

describe('given the BatchAppend call drops after the server wrote an append', () => {
  it('the append reports success with the revision and position the server gave it', async () => {
    const store = open();
    const stream = `drop-${randomUUID()}`;
    standIn.dropNextBatchAppend('after_write');
    const result = await store.appendToStream(stream, [event('A'), event('B')], { expectedRevision: 'no_stream' });
    const read = await store.readStream(stream);
    expect(read.map((e) => e.type)).toEqual(['A', 'B']);
    expect(result).toEqual({ nextRevision: 1n, position: read[1]!.position });
  });
});

describe('given the BatchAppend call drops before the server wrote an append', () => {
  it('the append is retried with the same ids and expected revision, and stored once', async () => {
    const store = open();
    const stream = `drop-${randomUUID()}`;
    standIn.dropNextBatchAppend('before_write');
    const events = [event('A')];
    const result = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    const read = await store.readStream(stream);
    expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(result.nextRevision).toBe(0n);
  });
});

describe('given a bulk whose shared BatchAppend call drops mid-way', () => {
  it('reports every append as it ended on the server: none committed is reported failed', async () => {
    const store = open();
    const appends = Array.from({ length: 20 }, () => ({
      streamName: `bulk-${randomUUID()}`,
      events: [event('Opened')],
      expectedRevision: 'no_stream' as const,
    }));
    standIn.dropNextBatchAppend('after_write');
    const outcomes = await store.appendBatch(appends);
    const stored = await store.readStreams(appends.map((a) => a.streamName));
    expect(outcomes.map((o) => o.ok)).toEqual(appends.map(() => true));
    for (const a of appends) expect(stored.get(a.streamName)!.map((e) => e.id)).toEqual([a.events[0]!.id]);
  });
});

describe('given one tombstoned stream among several', () => {
  it('readStreams still returns the others, and the tombstoned one reads as empty', async () => {
    const store = open();
    const [live, deleted] = [`live-${randomUUID()}`, `deleted-${randomUUID()}`];
    await store.appendToStream(live, [event('Kept')]);
    await store.appendToStream(deleted, [event('Gone')]);
    standIn.log.tombstone(deleted, 'any', randomUUID());
    const read = await store.readStreams([live, deleted]);
    expect(read.get(live)!.map((e) => e.type)).toEqual(['Kept']);
    expect(read.get(deleted)).toEqual([]);
  });

  it('an append to it fails alone in its batch', async () => {
    const store = open();
    const [live, deleted] = [`live-${randomUUID()}`, `deleted-${randomUUID()}`];
    standIn.log.tombstone(deleted, 'any', randomUUID());
    const outcomes = await store.appendBatch([
      { streamName: deleted, events: [event()], expectedRevision: 'no_stream' },
      { streamName: live, events: [event()], expectedRevision: 'no_stream' },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
  });
});

describe('given a server that reports no log positions on stream reads (before 22.6)', () => {
  it('reading a stream fails and says why, instead of inventing a position', async () => {
    const old = await startEsdbStandIn({ streamReadPositions: false });
    try {
      const store = open(old.connectionString);
      const stream = `old-${randomUUID()}`;
      await store.appendToStream(stream, [event()]);
      await expect(store.readStream(stream)).rejects.toThrow(/did not report event positions/);
    } finally {
      await store.close();
      await old.close();
    }
  });
});
