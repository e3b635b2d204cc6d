/**
 * The in-memory transaction log behind the EventStoreDB protocol stand-in (`esdbStandIn.ts`). Test code:
 * it is NOT EventStoreDB/KurrentDB. It implements only the rules the keyturn adapter relies on, each
 * one citing where the real behaviour is written down. Paths are in github.com/kurrent-io/KurrentDB
 * (server) or github.com/EventStore/EventStore-Client-NodeJS (client tests, `packages/test/src/…`).
 */

export type ExpectedState = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export interface LogRecord extends ProposedEvent {
  streamName: string;
  revision: bigint;
  /** pre-position in the log; commit and prepare position are equal (see `append`) */
  position: bigint;
  postPosition: bigint;
  /** .NET ticks (100 ns) since the Unix epoch */
  created: bigint;
}

export type WriteOutcome =
  | { result: 'success'; lastRevision: bigint; position: bigint }
  | { result: 'wrong_expected_version'; current: bigint | 'no_stream' }
  | { result: 'stream_deleted' };

export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

// A tombstone is a record of type `$streamDeleted` (`SystemEventTypes.StreamDeleted`,
// src/KurrentDB.Core/Services/SystemNames.cs) at event number `EventNumber.DeletedStream` = long.MaxValue
// (src/KurrentDB.Core/Data/EventNumber.cs).
export const TOMBSTONE_TYPE = '$streamDeleted';
const DELETED_STREAM_REVISION = 2n ** 63n - 1n;

/** Log order, commit position first (`TFPos` comparison, src/KurrentDB.Core/Data/TFPos.cs). */
export const compareLogPositions = (a: LogPosition, b: LogPosition) =>
  a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;

const at = (record: LogRecord): LogPosition => ({ commit: record.position, prepare: record.position });

export interface StandInLogOptions {
  /**
   * How many recently written event ids the weak (any / stream_exists) idempotency check remembers.
   * KurrentDB keeps them in a bounded cache (`_committedEvents`, 8 MiB: `ESConsts.CommittedEventsMemCacheLimit`,
   * src/KurrentDB.Core/Services/Storage/ReaderIndex/IndexWriter.cs), so a retry expecting `any` is only
   * idempotent while the original ids are still in it.
   */
  recentEventIds?: number;
  now?: () => Date;
}

export class StandInLog {
  private readonly all: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  private readonly tombstoned = new Set<string>();
  private readonly recent = new Map<string, LogRecord>();
  private readonly listeners = new Set<(records: LogRecord[]) => void>();
  private readonly recentLimit: number;
  private readonly now: () => Date;
  private end = 0n;

  constructor(options: StandInLogOptions = {}) {
    this.recentLimit = options.recentEventIds ?? 100_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Current revision: -1 for a stream that never existed (`ExpectedVersion.NoStream`). */
  private currentRevision(streamName: string): bigint {
    return BigInt((this.streams.get(streamName)?.length ?? 0) - 1);
  }

  /**
   * One append, checked and applied atomically. The rules are `IndexWriter.CheckCommit`
   * (src/KurrentDB.Core/Services/Storage/ReaderIndex/IndexWriter.cs) and how its decisions reach the
   * client (`StorageWriterService.VerifyCommitChecks`, `RequestManagerBase`):
   * - a new stream accepts `any` and `no_stream` only (`CheckCommitForNewStream`); revisions start at 0
   *   (`CommitOk`: first event number = current version + 1, and a new stream's version is -1);
   * - a tombstoned stream refuses every append whatever the expectation, as StreamDeleted
   *   (`EventNumber.DeletedStream` case, and `RequestManagerBase.Handle(ConsistencyChecksFailed)`);
   * - `stream_exists` fails on a stream with no events (`curVersion < 0`, no metadata stream here);
   * - `any` / `stream_exists`: weak idempotency — all ids among the recently written events of this
   *   stream → success without writing; the first id new → write; a mix → CorruptedIdempotency, which
   *   is reported as WrongExpectedVersion ("caller will need to sync", `VerifyCommitChecks`);
   * - an exact revision (or `no_stream` = -1) below the current one: strong idempotency — the same ids at
   *   revisions expected+1… → success without writing; otherwise WrongExpectedVersion;
   * - above the current revision: WrongExpectedVersion; equal: write.
   * An idempotent success reports the last event's revision and log position (`ReturnCommitAt` with
   * `IdempotentLogPosition`), as the original append did.
   */
  append(streamName: string, expected: ExpectedState, events: ProposedEvent[]): WriteOutcome {
    if (this.tombstoned.has(streamName)) return { result: 'stream_deleted' };
    const current = this.currentRevision(streamName);
    const wrong = (): WriteOutcome => ({
      result: 'wrong_expected_version',
      current: current < 0n ? 'no_stream' : current,
    });
    const existing = this.streams.get(streamName) ?? [];

    if (expected === 'stream_exists' && current < 0n) return wrong();
    if (expected === 'any' || expected === 'stream_exists') {
      const found = events.map((e) => this.recent.get(e.id)).map((r) => (r?.streamName === streamName ? r : undefined));
      if (found[0] === undefined) return this.write(streamName, events);
      if (found.some((r) => r === undefined)) return wrong();
      return this.idempotent(found[found.length - 1]!);
    }
    const expectedRevision = expected === 'no_stream' ? -1n : expected;
    if (expectedRevision > current) return wrong();
    if (expectedRevision === current) return this.write(streamName, events);
    for (let i = 0; i < events.length; i++) {
      const stored = existing[Number(expectedRevision) + 1 + i];
      if (stored?.id !== events[i]!.id) return wrong();
    }
    if (events.length === 0) return wrong();
    return this.idempotent(existing[Number(expectedRevision) + events.length]!);
  }

  private idempotent(last: LogRecord): WriteOutcome {
    return { result: 'success', lastRevision: last.revision, position: last.position };
  }

  /**
   * Each event becomes one record; its commit and prepare positions are both its own log position
   * (`AllReader.ReadAllEventsForwardInternal` builds `new TFPos(prepare.LogPosition, prepare.LogPosition)`
   * for records written without an explicit commit). The append reports the last event's position: the
   * client's own test reads a one-event append back at `appendResult.position`
   * (packages/test/src/streams/readStream.test.ts, "populates log position").
   */
  private write(streamName: string, events: ProposedEvent[], revisionOf?: () => bigint): WriteOutcome {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const created = BigInt(this.now().getTime()) * 10_000n;
    const written = events.map((event) => {
      const position = this.end;
      // Positions are byte offsets in the transaction file; the size only needs to be plausible.
      this.end += BigInt(64 + event.type.length + event.data.length + event.customMetadata.length);
      const record: LogRecord = {
        ...event,
        streamName,
        revision: revisionOf ? revisionOf() : BigInt(stream.length),
        position,
        postPosition: this.end,
        created,
      };
      if (!revisionOf) stream.push(record);
      this.all.push(record);
      this.remember(record);
      return record;
    });
    for (const listener of this.listeners) listener(written);
    const last = written[written.length - 1];
    return last
      ? { result: 'success', lastRevision: last.revision, position: last.position }
      : { result: 'success', lastRevision: this.currentRevision(streamName), position: this.end };
  }

  private remember(record: LogRecord) {
    this.recent.set(record.id, record);
    if (this.recent.size > this.recentLimit) this.recent.delete(this.recent.keys().next().value!);
  }

  /**
   * A hard delete: the expectation is checked like an append's (Streams.Delete.cs passes it to
   * `ClientMessage.DeleteStream`), then a `$streamDeleted` record is written, visible in `$all`
   * (`AllReader` returns records flagged `StreamDelete`); from then on reads and appends of the stream
   * fail with StreamDeleted (packages/test/src/streams/tombstoneStream.test.ts).
   */
  tombstone(streamName: string, expected: ExpectedState, id: string): WriteOutcome {
    if (this.tombstoned.has(streamName)) return { result: 'stream_deleted' };
    const current = this.currentRevision(streamName);
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current < 0n) ||
      (expected === 'stream_exists' && current >= 0n) ||
      expected === current;
    if (!ok) return { result: 'wrong_expected_version', current: current < 0n ? 'no_stream' : current };
    const outcome = this.write(
      streamName,
      [
        {
          id,
          type: TOMBSTONE_TYPE,
          contentType: 'application/octet-stream',
          data: new Uint8Array(),
          customMetadata: new Uint8Array(),
        },
      ],
      () => DELETED_STREAM_REVISION,
    );
    this.tombstoned.add(streamName);
    return outcome;
  }

  isTombstoned = (streamName: string) => this.tombstoned.has(streamName);

  /** A stream's events; `undefined` when it has none (the server answers StreamNotFound). */
  readStream(
    streamName: string,
    from: bigint | 'start' | 'end',
    direction: 'forwards' | 'backwards',
    maxCount: bigint,
  ) {
    const stream = this.streams.get(streamName);
    if (!stream?.length) return undefined;
    const take = (records: LogRecord[]) =>
      records.slice(0, Number(maxCount > 1_000_000_000n ? 1_000_000_000n : maxCount));
    if (direction === 'forwards') {
      const start = from === 'start' ? 0 : from === 'end' ? stream.length : Number(from);
      return take(stream.slice(start));
    }
    const start = from === 'end' ? stream.length - 1 : from === 'start' ? 0 : Number(from);
    return take(stream.slice(0, start + 1).reverse());
  }

  /**
   * `$all` forwards includes the record at the start position (`AllReader`: `new TFPos(…) >= pos`; the
   * client's packages/test/src/streams/readAll.test.ts "from position" reads back the same event from its
   * position); backwards returns the records that end at or before it (`RecordPostPosition <= pos`).
   */
  readAll(from: LogPosition | 'start' | 'end', direction: 'forwards' | 'backwards'): LogRecord[] {
    if (direction === 'forwards') {
      if (from === 'end') return [];
      return from === 'start' ? [...this.all] : this.all.filter((r) => compareLogPositions(at(r), from) >= 0);
    }
    const before =
      from === 'end' ? this.all : from === 'start' ? [] : this.all.filter((r) => r.postPosition <= from.commit);
    return [...before].reverse();
  }

  /** Calls `listener` with every later write, in log order. */
  onWrite(listener: (records: LogRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get endPosition(): LogPosition {
    return { commit: this.end, prepare: this.end };
  }

  /** Events of EventStoreDB's own (`$`-prefixed streams and types), which a real `$all` always holds. */
  appendSystemEvent(streamName: string, type: string, id: string) {
    return this.write(streamName, [
      {
        id,
        type,
        contentType: 'application/json',
        data: new TextEncoder().encode('{}'),
        customMetadata: new Uint8Array(),
      },
    ]);
  }
}
