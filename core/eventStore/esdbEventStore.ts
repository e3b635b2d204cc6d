import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { Logger } from '../logger.js';
import { createUpcast, type Upcast } from './upcasting.js';
import { compareEncodedPositions, decodePosition, encodePosition } from './esdbPosition.js';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type BatchAppendOutcome,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from './eventStore.js';
import { resubscribingSubscription } from './resubscribingSubscription.js';

export interface EsdbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`, or `esdb+discover://…` for a cluster */
  connectionString: string;
  log: Logger;
  /** parallel appends of one `appendBatch`, and parallel reads of one `readStreams` */
  concurrency?: number;
  resubscribeBackoff?: { initialMs: number; maxMs: number };
  /** the upcasting step for stored shapes (default: today's rules) */
  upcast?: Upcast;
}

type EsdbRecorded = NonNullable<ResolvedEvent['event']>;

const toExpected = (expected: ExpectedRevision): AppendExpectedRevision =>
  expected === 'no_stream'
    ? NO_STREAM
    : expected === 'stream_exists'
      ? STREAM_EXISTS
      : expected === 'any'
        ? ANY
        : expected;

// Our own streams never start with `$`; everything that does is EventStoreDB's bookkeeping.
const isSystem = (event: EsdbRecorded) => event.streamId.startsWith('$') || event.type.startsWith('$');

function toRecorded(event: EsdbRecorded): RecordedEvent {
  if (!event.position)
    throw new Error('EventStoreDB did not report event positions (it needs server version 22.6 or later)');
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata,
    streamName: event.streamId,
    revision: event.revision,
    position: encodePosition(event.position),
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The event store on EventStoreDB / KurrentDB. Our event ids are the server's event ids, which makes a
 * retried append with the same ids idempotent on the server. EventStoreDB has no cross-stream
 * transactions, so `appendBatch` runs its appends concurrently and reports each outcome on its own.
 */
export function createEsdbEventStore(options: EsdbEventStoreOptions): EventStore {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const concurrency = options.concurrency ?? 32;
  const upcast = options.upcast ?? createUpcast();

  async function lastPositionOf(streamName: string): Promise<Position> {
    for await (const resolved of client.readStream(streamName, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    })) {
      if (resolved.event) return toRecorded(resolved.event).position;
    }
    throw new Error(`Stream ${streamName} is empty right after an append`);
  }

  async function appendToStream(
    streamName: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('Nothing to append');
    const data = events.map((e) =>
      jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata as unknown as JSONType }),
    );
    try {
      const result = await client.appendToStream(streamName, data, { expectedRevision: toExpected(expectedRevision) });
      const position = result.position ? encodePosition(result.position) : await lastPositionOf(streamName);
      return { nextRevision: result.nextExpectedRevision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(streamName, expectedRevision, error.actualVersion);
      }
      throw error;
    }
  }

  async function readStream(streamName: string, fromRevision?: bigint): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of client.readStream(streamName, { fromRevision: fromRevision ?? START })) {
        if (resolved.event) events.push(upcast(toRecorded(resolved.event)));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  const store: EventStore = {
    appendToStream: (streamName, events, opts) => appendToStream(streamName, events, opts?.expectedRevision ?? 'any'),
    appendBatch: (appends) =>
      mapLimit(appends, concurrency, async (a): Promise<BatchAppendOutcome> => {
        try {
          return { ok: true, result: await appendToStream(a.streamName, a.events, a.expectedRevision) };
        } catch (error) {
          return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
        }
      }),
    readStream: (streamName, opts) => readStream(streamName, opts?.fromRevision),
    async readStreams(streamNames) {
      const read = await mapLimit(streamNames, concurrency, (name) => readStream(name));
      return new Map(streamNames.map((name, i) => [name, read[i]!]));
    },
    /**
     * `$all` pages skip system events, and the start position is treated as exclusive whether or not
     * the server includes it: anything at or before the last position seen is dropped.
     */
    async readAll(opts = {}) {
      const maxCount = opts.maxCount ?? 1000;
      const events: RecordedEvent[] = [];
      let seen = opts.after;
      for (;;) {
        let pageSize = 0;
        const page = client.readAll({
          fromPosition: seen === undefined ? START : decodePosition(seen),
          maxCount: maxCount + 1,
        });
        for await (const resolved of page) {
          pageSize += 1;
          const event = resolved.event;
          if (!event) continue;
          const position = encodePosition(event.position);
          if (seen !== undefined && compareEncodedPositions(position, seen) <= 0) continue;
          seen = position;
          if (!isSystem(event)) events.push(upcast(toRecorded(event)));
          if (events.length >= maxCount) {
            await page.cancel();
            return events;
          }
        }
        if (pageSize < maxCount + 1) return events;
      }
    },
    subscribe(opts) {
      return resubscribingSubscription<AllStreamResolvedEvent>({
        ...opts,
        log: options.log,
        backoff: options.resubscribeBackoff,
        comparePositions: compareEncodedPositions,
        open(after, batchSize) {
          const fromPosition = after === undefined ? START : decodePosition(after);
          // The buffer holds what arrives while the handler runs: that is the next batch.
          const subscription = client.subscribeToAll(
            { fromPosition, filter: excludeSystemEvents() },
            { highWaterMark: batchSize },
          );
          let closing: Promise<void> | undefined;
          return {
            stream: subscription,
            close: () =>
              (closing ??= subscription
                .unsubscribe()
                .catch(() => undefined)
                .finally(() => subscription.destroy())),
          };
        },
        map: (resolved) => (resolved.event && !isSystem(resolved.event) ? upcast(toRecorded(resolved.event)) : undefined),
      });
    },
    comparePositions: compareEncodedPositions,
    async ping() {
      // One event read backwards from the end: a round trip that touches the log, nothing more.
      for await (const _ of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: 5000 }))
        break;
    },
    close: () => client.dispose(),
  };
  return store;
}
