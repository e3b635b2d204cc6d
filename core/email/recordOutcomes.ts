import { accountDecider } from '../accounts/accountDecider.js';
import type { EmailOutcome } from '../accounts/emailOutcomes.js';
import { accountIdOfStream, type AccountEvent } from '../accounts/events.js';
import { isKeyturnError } from '../errors.js';
import {
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
} from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import { accountStateOf } from './accountState.js';
import type { EmailJob } from './emailJobs.js';

export interface JobOutcome {
  job: EmailJob;
  outcome: EmailOutcome;
}

// A user who keeps changing the account could make us lose every race; the email went out, so try hard.
const MAX_ATTEMPTS = 10;

const metadataOf = (job: EmailJob, now: Date): EventMetadata => ({
  occurredAt: now.toISOString(),
  actor: 'system',
  correlationId: job.event.metadata.correlationId,
  ...(job.event.metadata.organizationId ? { organizationId: job.event.metadata.organizationId } : {}),
});

interface Decided {
  append: StreamAppend;
  outcomes: EmailOutcome[];
}

/** `RecordEmailOutcome` for each outcome of one stream, on the stream as read now; undefined if nothing to append. */
function decideStream(streamName: string, stream: RecordedEvent[], jobs: JobOutcome[], now: Date, log: Logger) {
  let state = accountStateOf(stream);
  if (!state) {
    log.warn(
      { accountId: accountIdOfStream(streamName) },
      'email outcomes not recorded: the account stream is unreadable',
    );
    return undefined;
  }
  const decided: Decided = {
    append: { streamName, expectedRevision: stream.at(-1)?.revision ?? 'no_stream', events: [] },
    outcomes: [],
  };
  for (const { job, outcome } of jobs) {
    let events: AccountEvent[];
    try {
      events = accountDecider.decide({ type: 'RecordEmailOutcome', data: outcome }, state);
    } catch (error) {
      if (!isKeyturnError(error)) throw error;
      const context = { accountId: accountIdOfStream(streamName), kind: job.kind, code: error.code };
      log.warn(context, 'email outcome not recorded: the account is gone');
      continue;
    }
    // One event per outcome, so the job's derived id names it: a retried batch cannot record it twice.
    for (const event of events) {
      state = accountDecider.evolve(state, event);
      decided.append.events.push({ id: job.outcomeEventId, ...event, metadata: metadataOf(job, now) });
    }
    if (events.length > 0) decided.outcomes.push(outcome);
  }
  return decided.append.events.length > 0 ? decided : undefined;
}

/**
 * The one write path for outcomes: the account decider decides each (`RecordEmailOutcome`) on the
 * account's stream as it is now, and all are appended in one batch, each stream at the revision it
 * was decided on. A stream someone changed meanwhile is read and decided again, so a concurrent user
 * action neither loses the outcome nor lets it be recorded twice. Answers the outcomes recorded.
 */
export async function recordOutcomes(
  store: EventStore,
  outcomes: JobOutcome[],
  now: Date,
  log: Logger,
  /** the streams as the caller just read them: the first try decides on those instead of reading again */
  known?: ReadonlyMap<string, RecordedEvent[]>,
): Promise<EmailOutcome[]> {
  const byStream = new Map<string, JobOutcome[]>();
  for (const o of outcomes) {
    const name = o.job.event.streamName;
    byStream.set(name, [...(byStream.get(name) ?? []), o]);
  }
  const recorded: EmailOutcome[] = [];
  let pending = [...byStream.keys()];
  for (let attempt = 1; pending.length > 0; attempt++) {
    // A stream that changed since the caller read it fails its revision check and is read again below.
    const unknown = attempt === 1 && known ? pending.filter((name) => !known.has(name)) : pending;
    const streams = unknown.length > 0 ? await store.readStreams(unknown) : new Map<string, RecordedEvent[]>();
    if (attempt === 1 && known) for (const name of pending) if (known.has(name)) streams.set(name, known.get(name)!);
    const decided = pending
      .map((name) => decideStream(name, streams.get(name) ?? [], byStream.get(name)!, now, log))
      .filter((d): d is Decided => d !== undefined);
    if (decided.length === 0) break;
    const results = await store.appendBatch(decided.map((d) => d.append));
    pending = [];
    let failure: Error | undefined;
    for (const [i, result] of results.entries()) {
      const { append, outcomes: appended } = decided[i]!;
      if (result.ok) recorded.push(...appended);
      else if (result.error instanceof WrongExpectedRevisionError && attempt < MAX_ATTEMPTS)
        pending.push(append.streamName);
      else failure ??= result.error;
    }
    // The batch is tried again later; outcomes recorded by now are settled and their emails not sent again.
    if (failure) throw failure;
  }
  return recorded;
}
