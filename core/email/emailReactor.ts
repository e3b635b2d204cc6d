import type { EmailOutcome } from '../accounts/emailOutcomes.js';
import { accountIdOfStream } from '../accounts/events.js';
import type { CheckpointStore } from '../eventStore/checkpoints.js';
import type { EventStore, Position, RecordedEvent, Subscription } from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import { emailJobOf, type EmailJob } from './emailJobs.js';
import { EmailProviderError, type EmailSender, type OutgoingEmail, type SendResult } from './emailSender.js';
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
  /**
   * Asked before each provider call (send or lookup); false stops the reactor: nothing more is sent,
   * nothing recorded after it, the checkpoint not moved (a lease lost to another process). A rejection
   * counts as a failed call: nothing is sent, and the chunk is tried again after the usual delay.
   */
  stillLeading?: () => Promise<boolean>;
}

export interface EmailReactor {
  /** resolves once the chunks in flight are handled (or their wait to be tried again is cut short) */
  stop(): Promise<void>;
}

/**
 * `inDoubt`: a holder before us (`before`: before this reactor started) or a call of ours that got no
 * answer (`ours`) may have sent it already
 */
type Item = { job: EmailJob; mark: Mark; inDoubt: false | 'before' | 'ours' };
/** `stream`: the account as read when the email was written, for recording its outcome without a read */
type Ready = Item & { email: OutgoingEmail; stream: RecordedEvent[] };

/**
 * Turns the events that ask for an email into emails and records `EmailDelivered` /
 * `EmailDeliveryFailed` through the account decider. Jobs are collected across event batches into
 * chunks of 500 emails (one provider call each, so N emails take ⌈N/500⌉ calls); a partial chunk goes
 * when the log has no more jobs for now. Up to `inFlight` chunks are at the provider at once while
 * the next is rendered, and each chunk's outcomes are recorded as it comes back.
 *
 * Once, with a sender that can say what it took: the checkpoint moves only past events whose jobs
 * are all settled, and before sending, each job is checked against its account stream — an outcome
 * already recorded means it went out. A job the stream cannot vouch for is *in doubt* when a holder
 * before us may have sent it (its event is at or before the head of the log when this reactor
 * started: a crash, a restart or a takeover) or when a call of ours failed in a way that may have gone
 * through (no answer, 5xx). In-doubt jobs are looked up with the sender (`findAccepted`: the Messages
 * API for Postmark, where the job id travels in the message) and those the provider already took are
 * recorded as delivered, not sent again. A sender without a lookup leaves the old guarantee, at least
 * once: a crash repeats at most the chunks at the provider then (`inFlight` × 500 emails). `stop()`
 * lets the chunks in flight finish and record first.
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
  // The provider's clock, not an injected one: it bounds a search of what the provider received.
  const startedAt = new Date();
  const head = await headAfter(deps.store, after);
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
  // Once another process leads, this one records nothing more: its jobs are in doubt for the next.
  let deposed = false;
  const retrying = (context: Record<string, unknown>, sleep = deps.sleep) => ({
    retry: deps.retry,
    sleep,
    signal,
    log: deps.log,
    context,
  });

  /** Before each provider call: a reactor that no longer leads stops where it is. */
  async function leading() {
    if (!deposed && deps.stillLeading && !(await deps.stillLeading())) {
      deposed = true;
      deps.log.warn({ name }, 'email reactor no longer leads: stopped, nothing more sent or recorded');
      stopping.abort();
      void subscribed.close().catch(() => undefined);
    }
    if (deposed) throw new Error('EMAIL-3Lw8d: the email reactor no longer leads');
  }

  /** Stored in order, so a chunk that comes back early never moves the checkpoint back. */
  function advance() {
    const position = marks.take();
    if (position === undefined || deposed) return checkpointing;
    checkpointing = checkpointing
      .then(() => (deposed ? undefined : deps.checkpoints.store(name, position)))
      // A lost checkpoint write only means events handled again: their settled jobs are skipped.
      .catch((error: unknown) => deps.log.error({ err: safeText(error) }, 'email reactor checkpoint not stored'));
    return checkpointing;
  }

  /** Judges items against their streams: failures recorded, settled ones dropped; answers the sendable. */
  async function prepare(items: Item[]): Promise<Ready[]> {
    if (items.length === 0) return [];
    const { streams, sendable, failed, dropped } = await prepareJobs(items, ctx);
    // Recorded before anything is sent, so a provider outage that defers the rest does not repeat them.
    await recordNow(failed, streams);
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
    // By outcome event id: found at the provider (its message id), or the answer to our send.
    const accepted = new Map<string, string>();
    const results = new Map<string, SendResult | undefined>();
    await untilDone(
      async (failures) => {
        // A chunk tried again is judged again: the account may have moved on during the outage.
        if (failures > 0) sending = await prepare(sending);
        await providerPause;
        const open = sending.filter((r) => !accepted.has(r.job.outcomeEventId));
        for (const [id, messageId] of await lookUp(open.filter((r) => r.inDoubt))) accepted.set(id, messageId);
        const unsent = open.filter((r) => !accepted.has(r.job.outcomeEventId));
        if (unsent.length === 0) return;
        await leading();
        try {
          const answers = await deps.sender.sendBatch(unsent.map((r) => r.email));
          for (const [i, r] of unsent.entries()) results.set(r.job.outcomeEventId, answers[i]);
        } catch (error) {
          // The provider may have taken them without our hearing: ask before sending them again.
          if (mayHaveGoneThrough(error)) for (const r of unsent) r.inDoubt = 'ours';
          throw error;
        }
      },
      retrying({ emails: chunk.length }, pausing),
    );
    const outcomes = sending.map((r) => {
      const messageId = accepted.get(r.job.outcomeEventId);
      const result = messageId
        ? { ok: true as const, providerMessageId: messageId }
        : results.get(r.job.outcomeEventId);
      return { job: r.job, outcome: outcomeOf(r.job, r.email, result) };
    });
    const streams = new Map(sending.map((r) => [r.job.event.streamName, r.stream]));
    await untilDone(
      (failures) => recordNow(outcomes, failures === 0 ? streams : undefined),
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

  /**
   * The in-doubt jobs the provider already accepted, by outcome event id. A lookup the provider cannot
   * answer now rejects, so the chunk waits and tries again — nothing in doubt is sent blindly. One it
   * refuses for good (a token without the right, 4xx) says nothing: the jobs are sent, at least once.
   */
  async function lookUp(doubtful: Ready[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (doubtful.length === 0 || !deps.sender.findAccepted) return found;
    await leading();
    // Not sent before its event was written: the earliest event bounds the provider's search.
    const since = new Date(Math.min(...doubtful.map((r) => Date.parse(r.job.event.metadata.occurredAt) || 0)));
    // Only a holder before us: what it sent, it sent before we started (our own sends are not searched).
    const until = doubtful.every((r) => r.inDoubt === 'before') ? startedAt : undefined;
    let byIndex: Map<number, string>;
    try {
      byIndex = await deps.sender.findAccepted(
        doubtful.map((r) => r.email),
        since,
        until,
      );
    } catch (error) {
      if (!(error instanceof EmailProviderError) || error.retryable) throw error;
      deps.log.warn(
        { err: safeText(error), emails: doubtful.length },
        'email lookup refused; sending the jobs in doubt',
      );
      return found;
    }
    for (const [i, messageId] of byIndex) if (doubtful[i]) found.set(doubtful[i].job.outcomeEventId, messageId);
    if (found.size > 0)
      deps.log.info(
        { inDoubt: doubtful.length, accepted: found.size },
        'emails in doubt were already sent: recorded, not sent again',
      );
    return found;
  }

  async function recordNow(outcomes: JobOutcome[], known?: Map<string, RecordedEvent[]>) {
    if (deposed) throw new Error('EMAIL-3Lw8d: the email reactor no longer leads');
    await record(deps, outcomes, known);
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
    const inDoubt = (job: EmailJob): Item['inDoubt'] =>
      head !== undefined && deps.store.comparePositions(job.event.position, head) <= 0 ? 'before' : false;
    const items = jobs.map((job) => ({ job, mark, inDoubt: inDoubt(job) }));
    ready.push(...(await untilDone(() => prepare(items), retrying({ jobs: jobs.length }))));
    while (ready.length >= chunkSize) await dispatch(ready.splice(0, chunkSize));
    if (ready.length > 0 && (await idle(events, jobs.length))) await dispatch(ready.splice(0));
    await advance();
  }

  const subscribed: Subscription = deps.store.subscribe({
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
      await subscribed.close();
      while (inFlight.size > 0) await Promise.all(inFlight);
      ready = [];
      await checkpointing;
    },
  };
}

/** No answer, a timeout or a server error: the provider may have taken the emails. A 429 or 4xx took nothing. */
const mayHaveGoneThrough = (error: unknown) =>
  !(error instanceof EmailProviderError) || error.status === 0 || error.status >= 500;

/** The newest event after `after` now: its jobs and every earlier one's may have been sent by a holder before us. */
async function headAfter(store: EventStore, after: Position | undefined): Promise<Position | undefined> {
  let head: Position | undefined;
  for (;;) {
    const page = await store.readAll({ after: head ?? after, maxCount: 5000 });
    if (page.length === 0) return head;
    head = page.at(-1)!.position;
  }
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
