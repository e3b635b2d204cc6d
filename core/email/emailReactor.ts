import { setTimeout as sleepFor } from 'node:timers/promises';
import type { EmailOutcome } from '../accounts/emailOutcomes.js';
import { accountIdOfStream } from '../accounts/events.js';
import type { CheckpointStore } from '../eventStore/checkpoints.js';
import type { EventStore, RecordedEvent, Subscription } from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import { emailJobOf, isSettled, type EmailJob } from './emailJobs.js';
import { EmailProviderError, type EmailSender, type OutgoingEmail, type SendResult } from './emailSender.js';
import { safeText } from './logSafe.js';
import { prepareJob, type Prepared } from './prepareJob.js';
import { recordOutcomes, type JobOutcome } from './recordOutcomes.js';
import { backoffMs, RETRY_AFTER_CAP_MS } from './retryDelay.js';

export interface EmailReactorDeps {
  store: EventStore;
  sender: EmailSender;
  checkpoints: CheckpointStore;
  linkSecret: Buffer;
  publicUrl: string;
  log: Logger;
  /** ≤ 500: one provider batch call each */
  chunkSize?: number;
  name?: string;
  clock?: () => Date;
  /** called after outcomes were recorded (metrics) */
  onOutcomes?: (counts: { delivered: number; failed: number }) => void;
  /** wait before trying a batch again that could not be finished: from `initialMs`, doubling to `maxMs` */
  retry?: { initialMs: number; maxMs: number };
  /** waits that long unless `signal` aborts (then rejects); tests pass one that records the delay */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface EmailReactor {
  /** resolves once the batch in flight is handled, or its wait to be tried again is cut short */
  stop(): Promise<void>;
}

/** 1 s, 2 s, 4 s … 5 min: an outage of the provider costs a handful of requests, not one every 200 ms. */
export const DEFAULT_REACTOR_RETRY = { initialMs: 1000, maxMs: 300_000 };

const abortableSleep = (ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal });

/**
 * Turns the events that ask for an email into emails and records `EmailDelivered` /
 * `EmailDeliveryFailed` through the account decider. At least once: the checkpoint moves only after a
 * batch is handled, and before sending, each job is checked against its account stream — an outcome
 * already recorded means it went out, so a restart does not send it again.
 *
 * It keeps going: a job that cannot succeed (missing organization, render error, refused by the
 * provider) is recorded as failed and the rest go on. A batch the provider cannot take now (429, 5xx,
 * network, after the sender's own retries) records nothing — the email may still go out — and is tried
 * again after a growing delay; the wait is a timer, so the projector on the same thread runs meanwhile.
 */
export async function startEmailReactor(deps: EmailReactorDeps): Promise<EmailReactor> {
  const name = deps.name ?? 'email-reactor';
  const after = await deps.checkpoints.load(name);
  const stopping = new AbortController();
  const subscription: Subscription = deps.store.subscribe({
    after,
    onEvents: async (events) => {
      await handleUntilDone(deps, events, stopping.signal);
      await deps.checkpoints.store(name, events[events.length - 1]!.position);
    },
    onError: (error) => {
      if (!stopping.signal.aborted) deps.log.error({ err: safeText(error) }, 'email reactor batch failed; retrying');
    },
  });
  return {
    async stop() {
      stopping.abort();
      await subscription.close();
    },
  };
}

async function handleUntilDone(deps: EmailReactorDeps, events: RecordedEvent[], signal: AbortSignal) {
  const { initialMs, maxMs } = deps.retry ?? DEFAULT_REACTOR_RETRY;
  for (let failures = 1; ; failures++) {
    try {
      return await handleBatch(deps, events);
    } catch (error) {
      if (signal.aborted) throw error;
      // Postmark's own Retry-After wins over our backoff when it asks for longer.
      const retryAfterMs = error instanceof EmailProviderError ? (error.retryAfterMs ?? 0) : 0;
      const delayMs = Math.min(RETRY_AFTER_CAP_MS, Math.max(backoffMs(failures, initialMs, maxMs), retryAfterMs));
      const context = { err: safeText(error), failures, delayMs, events: events.length };
      deps.log.warn(context, 'email batch not finished; trying it again later');
      await (deps.sleep ?? abortableSleep)(delayMs, signal);
    }
  }
}

async function handleBatch(deps: EmailReactorDeps, events: RecordedEvent[]) {
  const jobs = events.map(emailJobOf).filter((j): j is EmailJob => j !== undefined);
  if (jobs.length === 0) return;
  const streams = await deps.store.readStreams([...new Set(jobs.map((j) => j.event.streamName))]);
  const context = { store: deps.store, publicUrl: deps.publicUrl, linkSecret: deps.linkSecret, log: deps.log };
  const organizationNames = new Map<string, Promise<string | undefined>>();
  const sendable: Extract<Prepared, { email: OutgoingEmail }>[] = [];
  const failed: JobOutcome[] = [];
  for (const job of jobs) {
    const stream = streams.get(job.event.streamName) ?? [];
    if (isSettled(job, stream)) continue;
    const prepared = await prepareJob(job, stream, context, organizationNames);
    if (prepared === undefined) continue;
    if ('email' in prepared) sendable.push(prepared);
    else failed.push(prepared);
  }
  // Recorded before anything is sent, so a provider outage that defers the rest does not repeat them.
  await record(deps, failed);
  const chunkSize = Math.min(deps.chunkSize ?? 500, 500);
  for (let i = 0; i < sendable.length; i += chunkSize) {
    const chunk = sendable.slice(i, i + chunkSize);
    const results = await deps.sender.sendBatch(chunk.map((p) => p.email));
    await record(
      deps,
      chunk.map((p, j) => ({ job: p.job, outcome: outcomeOf(p.job, p.email, results[j]) })),
    );
  }
}

function outcomeOf(job: EmailJob, email: OutgoingEmail, result: SendResult | undefined): EmailOutcome {
  const base = { kind: job.kind, refId: job.refId, to: email.to };
  const r = result ?? { ok: false, errorCode: 'NO_RESULT', reason: 'The provider gave no answer for this message.' };
  if (r.ok)
    return { delivered: true, ...base, ...(r.providerMessageId ? { providerMessageId: r.providerMessageId } : {}) };
  return { delivered: false, ...base, errorCode: r.errorCode, reason: r.reason };
}

async function record(deps: EmailReactorDeps, outcomes: JobOutcome[]) {
  if (outcomes.length === 0) return;
  const now = (deps.clock ?? (() => new Date()))();
  const recorded = await recordOutcomes(deps.store, outcomes, now, deps.log);
  for (const { job, outcome } of outcomes) {
    if (outcome.delivered || !recorded.includes(outcome)) continue;
    // Ids and codes only: addresses, links and tokens stay out of the logs.
    const accountId = accountIdOfStream(job.event.streamName);
    deps.log.warn({ kind: job.kind, accountId, refId: job.refId, errorCode: outcome.errorCode }, 'email refused');
  }
  const delivered = recorded.filter((o) => o.delivered).length;
  deps.onOutcomes?.({ delivered, failed: recorded.length - delivered });
}
