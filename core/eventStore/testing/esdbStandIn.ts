import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import type * as AnyPb from 'google-protobuf/google/protobuf/any_pb.js';
import type * as EmptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import type * as ServerFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb.js';
import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import {
  StandInLog,
  compareLogPositions,
  type ExpectedState,
  type LogPosition,
  type LogRecord,
  type ProposedEvent,
  type StandInLogOptions,
  type WriteOutcome,
} from './esdbStandInLog.js';

/**
 * An EventStoreDB **protocol stand-in** for tests: a gRPC server on 127.0.0.1 serving the service
 * definitions generated in `@eventstore/db-client` itself, so the real client talks to it exactly as it
 * talks to a server. It is not EventStoreDB/KurrentDB: no clustering, durability, security or
 * performance, and only what keyturn's adapter uses (Streams Read / Append / BatchAppend / Tombstone,
 * `$all` catch-up subscriptions with filters, ServerFeatures). The log rules live in `esdbStandInLog.ts`;
 * this file translates them to the wire the way KurrentDB's gRPC layer does
 * (src/KurrentDB.Core/Services/Transport/Grpc/ in github.com/kurrent-io/KurrentDB).
 */

// The generated messages are loaded from the client's own location, so they share its google-protobuf.
const clientRequire = createRequire(createRequire(import.meta.url).resolve('@eventstore/db-client'));
const streamsPb = clientRequire('../generated/streams_pb.js') as typeof StreamsPb;
const streamsGrpc = clientRequire('../generated/streams_grpc_pb.js') as typeof StreamsGrpc;
const sharedPb = clientRequire('../generated/shared_pb.js') as typeof SharedPb;
const statusPb = clientRequire('../generated/status_pb.js') as typeof StatusPb;
const featuresPb = clientRequire('../generated/serverfeatures_pb.js') as typeof ServerFeaturesPb;
const featuresGrpc = clientRequire('../generated/serverfeatures_grpc_pb.js') as typeof ServerFeaturesGrpc;
const { Any } = clientRequire('google-protobuf/google/protobuf/any_pb.js') as typeof AnyPb;
const { Empty } = clientRequire('google-protobuf/google/protobuf/empty_pb.js') as typeof EmptyPb;

const { ReadReq, ReadResp, AppendResp, BatchAppendResp, TombstoneResp } = streamsPb;
type ReadReq = StreamsPb.ReadReq;
type ReadResp = StreamsPb.ReadResp;
type AppendReq = StreamsPb.AppendReq;
type AppendResp = StreamsPb.AppendResp;
type BatchAppendReq = StreamsPb.BatchAppendReq;
type BatchAppendResp = StreamsPb.BatchAppendResp;
type TombstoneReq = StreamsPb.TombstoneReq;
type TombstoneResp = StreamsPb.TombstoneResp;

// `Position.FromInt64(-1, -1)` = ulong.MaxValue: how the server writes "no position"
// (src/KurrentDB.Core/Services/Transport/Common/Position.cs).
const NO_POSITION = (2n ** 64n - 1n).toString();
// `ExpectedVersion` values in KurrentDB's exceptions (src/KurrentDB.Core/Data/ExpectedVersion.cs).
const EXPECTED_VERSION_NUMBER = { any: -2n, no_stream: -1n, stream_exists: -4n } as const;

export interface EsdbStandInOptions extends StandInLogOptions {
  /**
   * false: stream reads carry no log position, as servers before 22.6 sent them (the server fills
   * `Position.FromInt64(-1, -1)` when an event has none, Streams.Read.cs `ConvertToRecordedEvent`).
   */
  streamReadPositions?: boolean;
  /**
   * false: ServerFeatures does not list BatchAppend (servers before 21.10), so the client appends with
   * one Append call per append (`appendToStream/index.ts` asks `supports(StreamsService.batchAppend)`).
   */
  batchAppend?: boolean;
}

export interface EsdbStandIn {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  connectionString: string;
  log: StandInLog;
  /**
   * Fault injection: the next BatchAppend write is applied (`after_write`) or not (`before_write`), and
   * then the whole BatchAppend call fails with UNAVAILABLE, as when the connection drops or the leader
   * changes mid-call — the client then rejects every append in flight on that call.
   */
  dropNextBatchAppend(when: 'before_write' | 'after_write'): void;
  /** Ends every call (live subscriptions included) and stops listening. */
  close(): Promise<void>;
}

const streamNameOf = (identifier: SharedPb.StreamIdentifier | undefined) =>
  Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');

const streamIdentifier = (name: string) => new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));

function parseUuid(uuid: SharedPb.UUID | undefined): string {
  if (!uuid) return '';
  if (uuid.hasString()) return uuid.getString();
  const structured = uuid.getStructured()!;
  const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
  const h = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The read's UUID option picks the id's shape (Streams.Read.cs `ConvertToRecordedEvent`). */
function uuidFor(id: string, asString: boolean): SharedPb.UUID {
  const uuid = new sharedPb.UUID();
  if (asString) return uuid.setString(id);
  const hex = id.replaceAll('-', '');
  const signed = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  return uuid.setStructured(
    new sharedPb.UUID.Structured()
      .setMostSignificantBits(signed(hex.slice(0, 16)))
      .setLeastSignificantBits(signed(hex.slice(16))),
  );
}

/** `MetadataHelpers.ParseGrpcMetadata`: the event type and content type travel in the metadata map. */
function proposed(
  message: StreamsPb.AppendReq.ProposedMessage | StreamsPb.BatchAppendReq.ProposedMessage,
): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: parseUuid(message.getId()),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

/** A gRPC error carrying KurrentDB's `exception` metadata, which the client maps to its error classes. */
function rpcError(code: status, details: string, metadata: Record<string, string> = {}) {
  const trailers = new Metadata();
  for (const [key, value] of Object.entries(metadata)) trailers.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata: trailers });
}

// RpcExceptions.StreamDeleted: FailedPrecondition with `exception: stream-deleted` and the stream name.
const streamDeleted = (streamName: string) =>
  rpcError(status.FAILED_PRECONDITION, `Event stream '${streamName}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': streamName,
  });

function expectedOf(
  options: {
    hasAny(): boolean;
    hasNoStream(): boolean;
    hasStreamExists(): boolean;
  },
  revision: () => string,
): ExpectedState {
  if (options.hasAny()) return 'any';
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  return BigInt(revision());
}

/** Streams.Read.cs `ConvertToEventFilter`: a regex when one is given, otherwise prefixes. */
function filterOf(options: StreamsPb.ReadReq.Options): (record: LogRecord) => boolean {
  if (!options.hasFilter()) return () => true;
  const filter = options.getFilter()!;
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  const prefixes = expression.getPrefixList();
  return (record) => {
    const subject = onType ? record.type : record.streamName;
    return regex ? regex.test(subject) : prefixes.some((p) => subject.startsWith(p));
  };
}

function readResp(record: LogRecord, uuidAsString: boolean, withPosition: boolean): ReadResp {
  const position = withPosition ? record.position.toString() : NO_POSITION;
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidFor(record.id, uuidAsString))
    .setStreamIdentifier(streamIdentifier(record.streamName))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setCustomMetadata(record.customMetadata)
    .setData(record.data);
  // `MetadataHelpers.AddGrpcMetadataFrom`: type, content type and `created` in ticks since the epoch.
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', record.created.toString());
  const event = new ReadResp.ReadEvent().setEvent(recorded);
  if (withPosition) event.setCommitPosition(position);
  else event.setNoPosition(new sharedPb.Empty());
  return new ReadResp().setEvent(event);
}

function wrongExpectedVersionDetails(current: bigint | 'no_stream', expected: ExpectedState) {
  // WrongExpectedVersion.cs `Create`, packed into the google.rpc.Status of a BatchAppend response.
  const details = new sharedPb.WrongExpectedVersion();
  if (current === 'no_stream') details.setCurrentNoStream(new Empty());
  else details.setCurrentStreamRevision(current.toString());
  if (expected === 'any') details.setExpectedAny(new Empty());
  else if (expected === 'no_stream') details.setExpectedNoStream(new Empty());
  else if (expected === 'stream_exists') details.setExpectedStreamExists(new Empty());
  else details.setExpectedStreamPosition(expected.toString());
  return details;
}

/** Status.cs: the google.rpc.Status of a failed BatchAppend entry, details packed as `Any`. */
function batchError(
  outcome: Exclude<WriteOutcome, { result: 'success' }>,
  streamName: string,
  expected: ExpectedState,
) {
  const any = new Any();
  const error = new statusPb.Status();
  if (outcome.result === 'wrong_expected_version') {
    any.pack(
      wrongExpectedVersionDetails(outcome.current, expected).serializeBinary(),
      'event_store.client.WrongExpectedVersion',
    );
    return error.setCode(6 /* ALREADY_EXISTS */).setMessage('WrongExpectedVersion').setDetails(any);
  }
  const deleted = new sharedPb.StreamDeleted().setStreamIdentifier(streamIdentifier(streamName));
  any.pack(deleted.serializeBinary(), 'event_store.client.StreamDeleted');
  return error.setCode(5 /* NOT_FOUND */).setMessage('StreamDeleted').setDetails(any);
}

function timeoutError() {
  const any = new Any();
  any.pack(new sharedPb.Timeout().serializeBinary(), 'event_store.client.Timeout');
  return new statusPb.Status().setCode(4 /* DEADLINE_EXCEEDED */).setMessage('Timeout').setDetails(any);
}

export async function startEsdbStandIn(options: EsdbStandInOptions = {}): Promise<EsdbStandIn> {
  const log = new StandInLog(options);
  const streamReadPositions = options.streamReadPositions ?? true;
  // A real `$all` always holds the server's own events besides the user's (the client's
  // packages/test/src/streams/readAll.test.ts "from start" counts more events than it wrote).
  log.appendSystemEvent('$settings', '$settings', randomUUID());
  let drop: 'before_write' | 'after_write' | undefined;
  const liveSubscriptions = new Set<() => void>();

  function read(call: ServerWritableStream<ReadReq, ReadResp>) {
    const options = call.request.getOptions();
    if (!options) return call.emit('error', rpcError(status.INVALID_ARGUMENT, 'options are required'));
    const uuidAsString = options.getUuidOption()?.hasString() ?? false;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? BigInt(options.getCount()) : undefined;
    const passes = filterOf(options);

    if (options.hasStream()) {
      if (options.hasSubscription())
        return call.emit('error', rpcError(status.UNIMPLEMENTED, 'stand-in: no stream subscriptions'));
      const stream = options.getStream()!;
      const name = streamNameOf(stream.getStreamIdentifier());
      // Enumerator.ReadStreamForwards/Backwards: a tombstoned stream fails with StreamDeleted, an
      // absent one answers a StreamNotFound message (ResponseConverter in Streams.Read.cs).
      if (log.isTombstoned(name)) return call.emit('error', streamDeleted(name));
      const from = stream.hasStart() ? 'start' : stream.hasEnd() ? 'end' : BigInt(stream.getRevision());
      const records = log.readStream(name, from, backwards ? 'backwards' : 'forwards', count ?? 0n);
      if (!records) {
        call.write(
          new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name))),
        );
        return call.end();
      }
      for (const record of records) call.write(readResp(record, uuidAsString, streamReadPositions));
      return call.end();
    }

    const all = options.getAll()!;
    const position = all.getPosition();
    const from: LogPosition | 'start' | 'end' = all.hasStart()
      ? 'start'
      : all.hasEnd()
        ? 'end'
        : { commit: BigInt(position!.getCommitPosition()), prepare: BigInt(position!.getPreparePosition()) };

    if (!options.hasSubscription()) {
      const records = log.readAll(from, backwards ? 'backwards' : 'forwards').filter(passes);
      for (const record of records.slice(0, Number(count ?? 0n))) call.write(readResp(record, uuidAsString, true));
      return call.end();
    }

    // Enumerator.AllSubscription(Filtered): confirmation first; then the catch-up, which skips every
    // event at or before the checkpoint (`eventPosition <= checkpoint`: the start is exclusive, as the
    // client's packages/test/src/streams/subscribeToAll.test.ts "from position" counts); then CaughtUp;
    // then live events. From End the checkpoint is the last position (`ConvertCheckpoint`).
    call.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
    const after = from === 'end' ? log.endPosition : from;
    const catchUp = after === 'start' ? log.readAll('start', 'forwards') : log.readAll(after, 'forwards');
    for (const record of catchUp) {
      if (after !== 'start' && compareLogPositions({ commit: record.position, prepare: record.position }, after) <= 0)
        continue;
      if (passes(record)) call.write(readResp(record, uuidAsString, true));
    }
    call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    // One thread and a synchronous log: nothing can be written between the catch-up and going live.
    const stop = log.onWrite((records) => {
      for (const record of records) if (passes(record)) call.write(readResp(record, uuidAsString, true));
    });
    const end = () => {
      stop();
      liveSubscriptions.delete(end);
    };
    liveSubscriptions.add(end);
    call.on('cancelled', end);
    call.on('close', end);
  }

  function respondAppend(
    streamName: string,
    expected: ExpectedState,
    outcome: WriteOutcome,
    callback: sendUnaryData<AppendResp>,
  ) {
    // Streams.Append.cs `HandleWriteEventsCompleted`.
    if (outcome.result === 'stream_deleted') return callback(streamDeleted(streamName));
    const response = new AppendResp();
    if (outcome.result === 'success') {
      const position = outcome.position.toString();
      return callback(
        null,
        response.setSuccess(
          new AppendResp.Success()
            .setCurrentRevision(outcome.lastRevision.toString())
            .setPosition(new AppendResp.Position().setCommitPosition(position).setPreparePosition(position)),
        ),
      );
    }
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new sharedPb.Empty());
    else wrong.setCurrentRevision(outcome.current.toString());
    if (expected === 'any') wrong.setExpectedAny(new sharedPb.Empty());
    else if (expected === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
    else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
    else wrong.setExpectedRevision(expected.toString());
    callback(null, response.setWrongExpectedVersion(wrong));
  }

  function append(call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>) {
    // Streams.Append.cs: the options message first, then one message per proposed event.
    let header: StreamsPb.AppendReq.Options | undefined;
    const events: ProposedEvent[] = [];
    call.on('data', (request: AppendReq) => {
      if (request.hasOptions()) header = request.getOptions();
      else if (request.hasProposedMessage()) events.push(proposed(request.getProposedMessage()!));
    });
    call.on('end', () => {
      if (!header) return callback(rpcError(status.INVALID_ARGUMENT, 'options are required'));
      const streamName = streamNameOf(header.getStreamIdentifier());
      const expected = expectedOf(header, () => header!.getRevision());
      respondAppend(streamName, expected, log.append(streamName, expected, events), callback);
    });
  }

  function batchAppend(call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) {
    // Streams.BatchAppend.cs `Receive`: requests are keyed by correlation id, the first carries the
    // options, events accumulate until `is_final`, and each write is answered on its own with the
    // correlation id and stream; a failed write is a google.rpc.Status in that answer.
    const pending = new Map<
      string,
      { streamName: string; expected: ExpectedState; events: ProposedEvent[]; timedOut: boolean }
    >();
    let dropped = false;
    call.on('data', (request: BatchAppendReq) => {
      if (dropped) return;
      const correlation = parseUuid(request.getCorrelationId());
      const opts = request.getOptions();
      if (opts) {
        const deadline = opts.getDeadline();
        pending.set(correlation, {
          streamName: streamNameOf(opts.getStreamIdentifier()),
          expected: expectedOf(opts, () => opts.getStreamPosition()),
          events: [],
          // A deadline already passed is answered with Status.Timeout before anything is written.
          timedOut: deadline !== undefined && deadline.toDate().getTime() <= Date.now(),
        });
      }
      const write = pending.get(correlation);
      if (!write) return;
      write.events.push(...request.getProposedMessagesList().map(proposed));
      if (!request.getIsFinal()) return;
      pending.delete(correlation);
      const response = new BatchAppendResp()
        .setCorrelationId(request.getCorrelationId())
        .setStreamIdentifier(streamIdentifier(write.streamName));
      if (write.timedOut) return void call.write(response.setError(timeoutError()));
      const fault = drop;
      drop = undefined;
      const outcome = fault === 'before_write' ? undefined : log.append(write.streamName, write.expected, write.events);
      dropped = fault !== undefined;
      if (fault)
        return void call.emit(
          'error',
          rpcError(status.UNAVAILABLE, `stand-in: call dropped ${fault.replace('_', ' ')}`),
        );
      if (outcome!.result !== 'success')
        return void call.write(response.setError(batchError(outcome!, write.streamName, write.expected)));
      const position = outcome!.position.toString();
      // BatchAppendResp.cs `Success.Completed`.
      call.write(
        response.setSuccess(
          new BatchAppendResp.Success()
            .setCurrentRevision(outcome!.lastRevision.toString())
            .setPosition(new sharedPb.AllStreamPosition().setCommitPosition(position).setPreparePosition(position)),
        ),
      );
    });
    call.on('end', () => call.end());
  }

  function tombstone(call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>) {
    const opts = call.request.getOptions()!;
    const streamName = streamNameOf(opts.getStreamIdentifier());
    const expected = expectedOf(opts, () => opts.getRevision());
    const outcome = log.tombstone(streamName, expected, randomUUID());
    if (outcome.result === 'stream_deleted') return callback(streamDeleted(streamName));
    if (outcome.result === 'wrong_expected_version') {
      // Streams.Delete.cs → RpcExceptions.WrongExpectedVersion("Delete", …).
      const expectedNumber = typeof expected === 'bigint' ? expected : EXPECTED_VERSION_NUMBER[expected];
      return callback(
        rpcError(status.FAILED_PRECONDITION, `Delete failed due to WrongExpectedVersion. Stream: ${streamName}`, {
          exception: 'wrong-expected-version',
          'stream-name': streamName,
          'expected-version': expectedNumber.toString(),
          'actual-version': outcome.current === 'no_stream' ? '-1' : outcome.current.toString(),
        }),
      );
    }
    const position = outcome.position.toString();
    callback(
      null,
      new TombstoneResp().setPosition(
        new TombstoneResp.Position().setCommitPosition(position).setPreparePosition(position),
      ),
    );
  }

  const server = new Server();
  server.addService(streamsGrpc.StreamsService, {
    read,
    append,
    batchAppend,
    tombstone,
    delete: (_call: unknown, callback: sendUnaryData<unknown>) =>
      callback(rpcError(status.UNIMPLEMENTED, 'stand-in: soft delete is not implemented')),
  });
  // ServerFeatures.cs: the client only uses BatchAppend when the server lists it; method and service
  // names are lower-cased, and Read / BatchAppend carry the features KurrentDB lists for them.
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods: (_call: unknown, callback: sendUnaryData<ServerFeaturesPb.SupportedMethods>) => {
      const method = (name: string, features: string[]) =>
        new featuresPb.SupportedMethod()
          .setServiceName('event_store.client.streams.streams')
          .setMethodName(name)
          .setFeaturesList(features);
      callback(
        null,
        new featuresPb.SupportedMethods()
          .setEventStoreServerVersion('0.0.0-stand-in')
          .setMethodsList([
            method('read', ['position', 'events']),
            method('append', []),
            ...(options.batchAppend === false ? [] : [method('batchappend', ['deadline_duration'])]),
            method('tombstone', []),
          ]),
      );
    },
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    log,
    dropNextBatchAppend(when) {
      drop = when;
    },
    async close() {
      for (const end of [...liveSubscriptions]) end();
      server.forceShutdown();
    },
  };
}
