import type { EmailOutcome } from '../accounts/emailOutcomes.js';
import { accountIdOfStream } from '../accounts/events.js';
import type { CheckpointStore } from '../eventStore/checkpoints.js';
import type { EventStore, RecordedEvent, Subscription } from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import { emailJobOf, type EmailJob } from './emailJobs.js';
import type { EmailSender, OutgoingEmail, SendResult } from './emailSender.js';
import { safeText } from './logSafe.js';
import { prepareJobs, type PrepareContext } from './prepareJob.js';
import { recordOutcomes, type JobOutcome } from './recordOutcomes.js';
import { settledPrefix, type Mark } from './settledPrefix.js';
import { abortableSleep, untilDone, type Sleep } from './untilDone.js';

export { DEFAULT_REACTOR_RETRY } from './untilDone.js';

export interface EmailReactorDeps {
  store: EventStore;
  sender: EmailSender;
  checkpoints: CheckpointStore;
  linkSecret: Buffer;
  publicUrl: string;
  log: Logger;
  /** ≤ 500 emails: one provider batch call each */
  chunkSize?: number;
  /** provider calls at once (default 3) */
  inFlight?: number;
  /** events read per subscription batch (default 1000) */
  eventBatchSize?: number;
  name?: string;
  clock?: () => Date;
  /** called after outcomes were recorded (metrics) */
  onOutcomes?: (counts: { delivered: number; failed: number }) => void;
  /** wait before trying work again that could not be finished: from `initialMs`, doubling to `maxMs` */
  retry?: { initialMs: number; maxMs: number };
  /** waits that long unless `signal` aborts (then rejects); tests pass one that records the delay */
  sleep?: Sleep;
}

export interface EmailReactor {
  /** resolves once the chunks in flight are handled (or their wait to be tried again is cut short) */
  stop(): Promise<void>;
}

type Item = { job: EmailJob; mark: Mark };
/** `stream`: the account as read when the email was written, for recording its outcome without a read */
type Ready = Item & { email: OutgoingEmail; stream: RecordedEvent[] };

/**
 * Turns the events that ask for an email into emails and records `EmailDelivered` /
 * `EmailDeliveryFailed` through the account decider. Jobs are collected across event batches into
 * chunks of 500 emails (one provider call each, so N emails take ⌈N/500⌉ calls); a partial chunk goes
 * when the log has no more jobs for now. Up to `inFlight` chunks are at the provider at once while
 * the next is rendered, and each chunk's outcomes are recorded as it comes back.
 *
 * At least once: the checkpoint moves only past events whose jobs are all settled, and before sending,
 * each job is checked against its account stream — an outcome already recorded means it went out, so
 * a restart does not send it again. A crash can repeat only the chunks at the provider then (at most
 * `inFlight` × 500 emails); `stop()` lets them finish and record first.
 *
 * It keeps going: a job that cannot succeed (missing organization, render error, refused by the
 * provider) is recorded as failed and the rest go on. A chunk the provider cannot take now (429, 5xx,
 * network, after the sender's own retries) records nothing — the email may still go out — and is
 * judged and tried again after a growing delay; the wait is a timer, so the projector runs meanwhile.
 */
export async function startEmailReactor(deps: EmailReactorDeps): Promise<EmailReactor> {
  const name = deps.name ?? 'email-reactor';
  const chunkSize = Math.min(deps.chunkSize ?? 500, 500);
  const maxInFlight = Math.max(1, deps.inFlight ?? 3);
  const batchSize = deps.eventBatchSize ?? 1000;
  const after = await deps.checkpoints.load(name);
  const stopping = new AbortController();
  const { signal } = stopping;
  const ctx: PrepareContext = {
    store: deps.store,
    publicUrl: deps.publicUrl,
    linkSecret: deps.linkSecret,
    log: deps.log,
  };
  const marks = settledPrefix();
  const inFlight = new Set<Promise<void>>();
  let ready: Ready[] = [];
  let checkpointing = Promise.resolve();
  // While the provider is failing, every chunk waits out the latest delay before its next call.
  let providerPause: Promise<unknown> = Promise.resolve();
  const retrying = (context: Record<string, unknown>, sleep = deps.sleep) => ({
    retry: deps.retry,
    sleep,
    signal,
    log: deps.log,
    context,
  });

  /** Stored in order, so a chunk that comes back early never moves the checkpoint back. */
  function advance() {
    const position = marks.take();
    if (position === undefined) return checkpointing;
    checkpointing = checkpointing
      .then(() => deps.checkpoints.store(name, position))
      // A lost checkpoint write only means events handled again: their settled jobs are skipped.
      .catch((error: unknown) => deps.log.error({ err: safeText(error) }, 'email reactor checkpoint not stored'));
    return checkpointing;
  }

  /** Judges items against their streams: failures recorded, settled ones dropped; answers the sendable. */
  async function prepare(items: Item[]): Promise<Ready[]> {
    if (items.length === 0) return [];
    const { streams, sendable, failed, dropped } = await prepareJobs(items, ctx);
    // Recorded before anything is sent, so a provider outage that defers the rest does not repeat them.
    await record(deps, failed, streams);
    for (const item of [...failed, ...dropped]) marks.settle(item.mark);
    return sendable.map((s) => ({ ...s, stream: streams.get(s.job.event.streamName) ?? [] }));
  }

  async function deliver(chunk: Ready[]) {
    const pausing: Sleep = (ms, s) => {
      const wait = (deps.sleep ?? abortableSleep)(ms, s);
      providerPause = wait.catch(() => undefined);
      return wait;
    };
    let sending = chunk;
    const results = await untilDone(
      async (failures) => {
        // A chunk tried again is judged again: the account may have moved on during the outage.
        if (failures > 0) sending = await prepare(sending);
        await providerPause;
        return sending.length === 0 ? [] : deps.sender.sendBatch(sending.map((r) => r.email));
      },
      retrying({ emails: chunk.length }, pausing),
    );
    const outcomes = sending.map((r, j) => ({ job: r.job, outcome: outcomeOf(r.job, r.email, results[j]) }));
    const streams = new Map(sending.map((r) => [r.job.event.streamName, r.stream]));
    await untilDone(
      (failures) => record(deps, outcomes, failures === 0 ? streams : undefined),
      retrying({ outcomes: outcomes.length }),
    );
    for (const r of sending) marks.settle(r.mark);
    await advance();
  }

  async function dispatch(chunk: Ready[]) {
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    signal.throwIfAborted();
    const running: Promise<void> = deliver(chunk)
      .catch((error: unknown) => {
        // Only a stop cuts a chunk short: nothing recorded, the checkpoint stays before it.
        if (!signal.aborted) deps.log.error({ err: safeText(error) }, 'email chunk abandoned');
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }

  /** No more jobs in the log for now: the partial chunk goes instead of waiting for company. */
  async function idle(events: RecordedEvent[], jobs: number) {
    if (events.length < batchSize || jobs === 0) return true;
    return (await deps.store.readAll({ after: events.at(-1)!.position, maxCount: 1 })).length === 0;
  }

  async function onEvents(events: RecordedEvent[]) {
    signal.throwIfAborted();
    const jobs = events.map(emailJobOf).filter((j): j is EmailJob => j !== undefined);
    const mark = marks.add(events.at(-1)!.position, jobs.length);
    const items = jobs.map((job) => ({ job, mark }));
    ready.push(...(await untilDone(() => prepare(items), retrying({ jobs: jobs.length }))));
    while (ready.length >= chunkSize) await dispatch(ready.splice(0, chunkSize));
    if (ready.length > 0 && (await idle(events, jobs.length))) await dispatch(ready.splice(0));
    await advance();
  }

  const subscription: Subscription = deps.store.subscribe({
    after,
    batchSize,
    onEvents,
    onError: (error) => {
      if (!signal.aborted) deps.log.error({ err: safeText(error) }, 'email reactor batch failed; retrying');
    },
  });
  return {
    async stop() {
      stopping.abort();
      await subscription.close();
      while (inFlight.size > 0) await Promise.all(inFlight);
      ready = [];
      await checkpointing;
    },
  };
}

function outcomeOf(job: EmailJob, email: OutgoingEmail, result: SendResult | undefined): EmailOutcome {
  const base = { kind: job.kind, refId: job.refId, to: email.to };
  const r = result ?? { ok: false, errorCode: 'NO_RESULT', reason: 'The provider gave no answer for this message.' };
  if (r.ok)
    return { delivered: true, ...base, ...(r.providerMessageId ? { providerMessageId: r.providerMessageId } : {}) };
  return { delivered: false, ...base, errorCode: r.errorCode, reason: r.reason };
}

async function record(deps: EmailReactorDeps, outcomes: JobOutcome[], known?: Map<string, RecordedEvent[]>) {
  if (outcomes.length === 0) return;
  const now = (deps.clock ?? (() => new Date()))();
  const recorded = await recordOutcomes(deps.store, outcomes, now, deps.log, known);
  for (const { job, outcome } of outcomes) {
    if (outcome.delivered || !recorded.includes(outcome)) continue;
    // Ids and codes only: addresses, links and tokens stay out of the logs.
    const accountId = accountIdOfStream(job.event.streamName);
    deps.log.warn({ kind: job.kind, accountId, refId: job.refId, errorCode: outcome.errorCode }, 'email refused');
  }
  const delivered = recorded.filter((o) => o.delivered).length;
  deps.onOutcomes?.({ delivered, failed: recorded.length - delivered });
}
