/**
 * The event-store port. SQLite (embedded) and EventStoreDB adapters implement it; both run the same
 * contract suite (`eventStore.contract.ts`).
 *
 * Revisions are stream-local and start at 0 (as in EventStoreDB). Positions are global and opaque:
 * callers only store them and hand them back, and compare them through `comparePositions` when
 * they need an order.
 */
export type Position = string;

export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

export interface EventMetadata {
  occurredAt: string;
  /** account id of whoever caused it, or `system` */
  actor: string;
  correlationId: string;
  requestId?: string;
  /** denormalised so that projections of account events know the tenant without a lookup */
  organizationId?: string;
}

export interface NewEvent<T extends string = string, D = unknown> {
  /** unique id; appending the same ids again is a no-op (idempotent retries) */
  id: string;
  type: T;
  data: D;
  metadata: EventMetadata;
}

export interface RecordedEvent<T extends string = string, D = unknown> extends NewEvent<T, D> {
  streamName: string;
  revision: bigint;
  position: Position;
}

export interface AppendResult {
  nextRevision: bigint;
  position: Position;
}

export interface StreamAppend {
  streamName: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

export type BatchAppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: Error };

export interface ReadAllOptions {
  /** exclusive: events strictly after this position; from the beginning when absent */
  after?: Position;
  maxCount?: number;
  /**
   * A hint for a reader that needs only these streams (a projection rebuild): names starting with
   * one of the prefixes. An adapter may leave the others out (SQLite does) or return everything
   * (EventStoreDB): callers still pick what they handle. Positions stay global, so reading on after
   * the last event returned misses nothing. Absent or empty: every stream.
   */
  streamPrefixes?: string[];
}

export interface SubscriptionOptions {
  /** exclusive checkpoint; from the beginning when absent */
  after?: Position;
  /** called with events in global order; the next batch is only fetched once this resolves */
  onEvents: (events: RecordedEvent[]) => Promise<void>;
  onError?: (error: unknown) => void;
  batchSize?: number;
}

export interface Subscription {
  /** resolves once the handler in flight (if any) has finished */
  close(): Promise<void>;
}

export interface EventStore {
  appendToStream(
    streamName: string,
    events: NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;
  /**
   * Many independent stream appends in one go (bulk actions). Each append is checked and applied on
   * its own; the adapter may commit them together (SQLite) or concurrently (EventStoreDB).
   */
  appendBatch(appends: StreamAppend[]): Promise<BatchAppendOutcome[]>;
  readStream(streamName: string, options?: { fromRevision?: bigint }): Promise<RecordedEvent[]>;
  /** several whole streams at once (bulk actions); absent streams map to [] */
  readStreams(streamNames: string[]): Promise<Map<string, RecordedEvent[]>>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribe(options: SubscriptionOptions): Subscription;
  comparePositions(a: Position, b: Position): number;
  /** a cheap round trip to the storage (readiness checks); rejects when it is unreachable */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`Stream ${streamName}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}
