import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  AccessDeniedError,
  InvalidArgumentError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
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

// The server writes "no position" as ulong.MaxValue (`Position.FromInt64(-1, -1)` in KurrentDB's
// Transport/Common/Position.cs), and the client turns the proto3 default into 0: `position` itself is
// never missing, so the guard has to look at the value.
const NO_POSITION = 2n ** 64n - 1n;

function toRecorded(event: EsdbRecorded): RecordedEvent {
  if (!event.position || event.position.commit === NO_POSITION || event.position.prepare === NO_POSITION)
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

/**
 * Failures after which the server certainly did not write the append. Anything else (a dropped
 * connection, a deadline, a leader change, the client's shared BatchAppend call failing and rejecting
 * every append in flight on it) leaves the outcome unknown.
 */
const isDefiniteFailure = (error: unknown) =>
  error instanceof WrongExpectedVersionError ||
  error instanceof StreamDeletedError ||
  error instanceof AccessDeniedError ||
  error instanceof MaxAppendSizeExceededError ||
  error instanceof InvalidArgumentError;

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
  // Once closed, an append cut short by the close is neither reconciled nor retried: that would open
  // a new connection on a disposed client.
  let closed = false;

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

  /**
   * Where an append whose outcome is unknown landed: the stream is read for its event ids, in order and
   * where the expected revision put them. Undefined when they are not there (not written).
   */
  async function findAppended(
    streamName: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult | undefined> {
    const from =
      typeof expectedRevision === 'bigint' ? expectedRevision + 1n : expectedRevision === 'no_stream' ? 0n : undefined;
    const stored = await readStream(streamName, from);
    const first = stored.findIndex((e) => e.id === events[0]!.id);
    if (first < 0 || (from !== undefined && stored[first]!.revision !== from)) return undefined;
    const ours = stored.slice(first, first + events.length);
    if (ours.length !== events.length || ours.some((e, i) => e.id !== events[i]!.id)) return undefined;
    const last = ours[ours.length - 1]!;
    return { nextRevision: last.revision, position: last.position };
  }

  async function appendOnce(
    streamName: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
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

  /**
   * An append whose outcome is unknown is reconciled before anything is reported: if its events are in
   * the stream it succeeded; if not, it is sent once more with the same ids and the same expected
   * revision. Repeating both is what makes the retry a no-op on the server should the first attempt land
   * after all: KurrentDB's strong idempotency check looks for the ids at expected revision + 1…, while
   * with `any` it only finds ids it still holds in a bounded cache (IndexWriter.CheckCommit).
   */
  async function appendToStream(
    streamName: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('Nothing to append');
    for (let attempt = 1; ; attempt++) {
      try {
        return await appendOnce(streamName, events, expectedRevision);
      } catch (error) {
        if (closed || error instanceof WrongExpectedRevisionError || isDefiniteFailure(error)) throw error;
        const found = await findAppended(streamName, events, expectedRevision).catch(() => undefined);
        if (found) return found;
        if (attempt >= 2) throw error;
      }
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
    /**
     * A tombstoned stream reads as absent here, so one deleted account fails only its own entry of a
     * bulk (its append then fails with StreamDeleted) instead of the whole read.
     */
    async readStreams(streamNames) {
      const read = await mapLimit(streamNames, concurrency, (name) =>
        readStream(name).catch((error: unknown) => {
          if (!(error instanceof StreamDeletedError)) throw error;
          options.log.warn({ streamName: name }, 'stream is deleted; reading it as empty');
          return [];
        }),
      );
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
    close: () => {
      closed = true;
      return client.dispose();
    },
  };
  return store;
}
