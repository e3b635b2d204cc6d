import { isOpen } from '../accounts/account.js';
import { accountIdOfStream } from '../accounts/events.js';
import { isKeyturnError } from '../errors.js';
import type { EventStore, RecordedEvent } from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import { loadOrganization } from '../organizations/registerOrganization.js';
import { isSettled, type EmailJob } from './emailJobs.js';
import type { OutgoingEmail } from './emailSender.js';
import { safeText } from './logSafe.js';
import { accountStateOf } from './accountState.js';
import type { JobOutcome } from './recordOutcomes.js';
import { renderJob } from './renderJob.js';

/** An email to send, or the failure to record instead. */
export type Prepared = { job: EmailJob; email: OutgoingEmail } | JobOutcome;

export interface PrepareContext {
  store: EventStore;
  publicUrl: string;
  linkSecret: Buffer;
  log: Logger;
}

const isAddressList = (to: unknown): to is string[] =>
  Array.isArray(to) && to.length > 0 && to.every((a) => typeof a === 'string' && a.length > 0);

/** Whom the event meant the email for, as far as it says, for a failure recorded before rendering. */
function intendedRecipients(job: EmailJob): string[] {
  const { recipients, to } = job.data as { recipients?: unknown; to?: unknown };
  if (isAddressList(recipients)) return recipients;
  return typeof to === 'string' ? [to] : [];
}

/** Undefined when the organization is not there (or unreadable); a store that cannot be reached throws. */
async function organizationNameOf(store: EventStore, organizationId: string): Promise<string | undefined> {
  try {
    const organization = await loadOrganization(store, organizationId);
    return typeof organization.name === 'string' ? organization.name : undefined;
  } catch (error) {
    if (isKeyturnError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}

/**
 * The email a job asks for or, when it cannot be written, the failure to record — so the job is skipped
 * instead of stopping the batch. Undefined when there is no account to record anything on. Lookups of
 * organizations are shared through `organizations` for the batch.
 */
export async function prepareJob(
  job: EmailJob,
  stream: RecordedEvent[],
  ctx: PrepareContext,
  organizations: Map<string, Promise<string | undefined>>,
): Promise<Prepared | undefined> {
  const state = accountStateOf(stream.filter((e) => e.revision <= job.event.revision));
  if (state === undefined || !isOpen(state)) {
    const context = { accountId: accountIdOfStream(job.event.streamName), kind: job.kind, refId: job.refId };
    ctx.log.warn(context, 'email job skipped: no readable account to send it for');
    return undefined;
  }
  const fail = (errorCode: string, reason: string): JobOutcome => ({
    job,
    outcome: { delivered: false, kind: job.kind, refId: job.refId, to: intendedRecipients(job), errorCode, reason },
  });
  let organizationName = organizations.get(state.organizationId);
  if (organizationName === undefined) {
    organizationName = organizationNameOf(ctx.store, state.organizationId);
    organizations.set(state.organizationId, organizationName);
  }
  const name = await organizationName;
  if (name === undefined) {
    return fail('ORGANIZATION_MISSING', "The account's organization was not found, so the email could not be written.");
  }
  let email: OutgoingEmail;
  try {
    email = renderJob(job, state, { organizationName: name, publicUrl: ctx.publicUrl, linkSecret: ctx.linkSecret });
  } catch (error) {
    return fail('RENDER_FAILED', `The email could not be written: ${safeText(error)}`);
  }
  if (!isAddressList(email.to)) return fail('NO_RECIPIENTS', 'The email names no recipient address.');
  return { job, email };
}

export interface PreparedJobs<T extends { job: EmailJob }> {
  /** the account streams as read for judging the jobs */
  streams: Map<string, RecordedEvent[]>;
  sendable: (T & { email: OutgoingEmail })[];
  /** could not be written: record the outcome instead */
  failed: (T & JobOutcome)[];
  /** settled already, or no account to record anything on */
  dropped: T[];
}

// Rendering is CPU on the thread the projector shares: give it a turn this often. The projector's turn is
// a whole batch (500 events, ~100 ms); much shorter turns here would leave the reactor a small share.
const TURN_MS = 40;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Each job judged against its account stream as it is now (read in one go): the email to send, the
 * failure to record, or nothing. Organization names are looked up once for the call.
 */
export async function prepareJobs<T extends { job: EmailJob }>(items: T[], ctx: PrepareContext) {
  const streams = await ctx.store.readStreams([...new Set(items.map((i) => i.job.event.streamName))]);
  const prepared: PreparedJobs<T> = { streams, sendable: [], failed: [], dropped: [] };
  const organizations = new Map<string, Promise<string | undefined>>();
  let turn = performance.now();
  for (const item of items) {
    const stream = streams.get(item.job.event.streamName) ?? [];
    const result = isSettled(item.job, stream) ? undefined : await prepareJob(item.job, stream, ctx, organizations);
    if (result === undefined) prepared.dropped.push(item);
    else if ('email' in result) prepared.sendable.push({ ...item, email: result.email });
    else prepared.failed.push({ ...item, outcome: result.outcome });
    if (performance.now() - turn > TURN_MS) {
      await nextTurn();
      turn = performance.now();
    }
  }
  return prepared;
}
