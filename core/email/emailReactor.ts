import type { EventStore, RecordedEvent, Subscription } from '../eventStore/eventStore.js';
import type { CheckpointStore } from '../eventStore/checkpoints.js';
import type { Logger } from '../logger.js';
import { evolveAccount, initialAccountState, type AccountState } from '../accounts/account.js';
import { accountIdOfStream, type AccountEvent } from '../accounts/events.js';
import { loadOrganization } from '../organizations/registerOrganization.js';
import type { EmailSender, OutgoingEmail, SendResult } from './emailSender.js';
import { emailJobOf, isSettled, type EmailJob } from './emailJobs.js';
import { renderJob } from './renderJob.js';

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
}

export interface EmailReactor {
  /** resolves when every event up to now is handled (tests, bench) */
  stop(): Promise<void>;
}

/**
 * Turns `WelcomeEmailSent`, `ResetRequested`, `PasswordChanged` and `LoginNameRequested` into emails and
 * records `EmailDelivered` / `EmailDeliveryFailed`. At least once: the checkpoint moves only after a
 * batch is handled, and before sending, each job is checked against its account stream — an outcome
 * already recorded means it went out, so a restart does not send it again.
 */
export async function startEmailReactor(deps: EmailReactorDeps): Promise<EmailReactor> {
  const name = deps.name ?? 'email-reactor';
  const after = await deps.checkpoints.load(name);
  const subscription: Subscription = deps.store.subscribe({
    after,
    onEvents: async (events) => {
      await handleBatch(deps, events);
      await deps.checkpoints.store(name, events[events.length - 1]!.position);
    },
    onError: (error) => deps.log.error({ err: errorText(error) }, 'email reactor batch failed; retrying'),
  });
  return { stop: () => subscription.close() };
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function handleBatch(deps: EmailReactorDeps, events: RecordedEvent[]) {
  const jobs = events.map(emailJobOf).filter((j): j is EmailJob => j !== undefined);
  if (jobs.length === 0) return;
  const streams = await deps.store.readStreams([...new Set(jobs.map((j) => j.event.streamName))]);
  const organizations = new Map<string, string>();
  const pending: { job: EmailJob; email: OutgoingEmail }[] = [];
  for (const job of jobs) {
    const stream = streams.get(job.event.streamName) ?? [];
    if (isSettled(job, stream)) continue;
    const state = stateAt(stream, job.event.revision);
    if (state.status === 'absent') continue;
    let organizationName = organizations.get(state.organizationId);
    if (organizationName === undefined) {
      organizationName = (await loadOrganization(deps.store, state.organizationId)).name;
      organizations.set(state.organizationId, organizationName);
    }
    const email = renderJob(job, state, { organizationName, publicUrl: deps.publicUrl, linkSecret: deps.linkSecret });
    pending.push({ job, email });
  }
  const chunkSize = Math.min(deps.chunkSize ?? 500, 500);
  for (let i = 0; i < pending.length; i += chunkSize) {
    const chunk = pending.slice(i, i + chunkSize);
    const results = await deps.sender.sendBatch(chunk.map((p) => p.email));
    await recordOutcomes(deps, chunk, results);
  }
}

function stateAt(stream: RecordedEvent[], revision: bigint): AccountState {
  return stream
    .filter((e) => e.revision <= revision)
    .reduce((s, e) => evolveAccount(s, { type: e.type, data: e.data } as AccountEvent), initialAccountState());
}

async function recordOutcomes(deps: EmailReactorDeps, chunk: { job: EmailJob; email: OutgoingEmail }[], results: SendResult[]) {
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  const appends = chunk.map(({ job, email }, i) => {
    const result = results[i] ?? { ok: false, errorCode: 'NO_RESULT', reason: 'The provider gave no answer for this message.' };
    const base = { kind: job.kind, refId: job.refId, to: email.to };
    const event = result.ok
      ? { type: 'EmailDelivered', data: { ...base, ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}) } }
      : { type: 'EmailDeliveryFailed', data: { ...base, errorCode: result.errorCode, reason: result.reason } };
    if (!result.ok) deps.log.warn({ kind: job.kind, accountId: accountIdOfStream(job.event.streamName), errorCode: result.errorCode }, 'email refused');
    return {
      streamName: job.event.streamName,
      expectedRevision: 'any' as const,
      events: [
        {
          // Derived from the job, so a retried batch cannot record the same outcome twice.
          id: job.outcomeEventId,
          type: event.type,
          data: event.data,
          metadata: {
            occurredAt: now,
            actor: 'system',
            correlationId: job.event.metadata.correlationId,
            ...(job.event.metadata.organizationId ? { organizationId: job.event.metadata.organizationId } : {}),
          },
        },
      ],
    };
  });
  const outcomes = await deps.store.appendBatch(appends);
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) throw failed.error;
  const delivered = chunk.filter((_, i) => results[i]?.ok === true).length;
  deps.onOutcomes?.({ delivered, failed: chunk.length - delivered });
}
