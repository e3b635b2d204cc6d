import type { AccountEvent, EmailKind } from '../accounts/events.js';
import { accountStream } from '../accounts/events.js';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '../eventStore/eventStore.js';
import { emailJobOf, uuidFrom } from './emailJobs.js';

/** What an email provider tells us later about one message to one recipient (webhooks). */
interface ReportBase {
  /** the provider's identity of this report: the same report sent twice has the same id */
  id: string;
  /** from the metadata our sender put on the message */
  accountId: string;
  refId: string;
  kind: EmailKind;
  providerMessageId: string;
  recipient: string;
  /** when it happened, as the provider says */
  at: string;
}

export type ProviderReport =
  | (ReportBase & { type: 'delivered' })
  | (ReportBase & {
      type: 'bounced';
      bounceType: string;
      typeCode: number;
      permanent: boolean;
      reason: string;
      details?: string;
    })
  | (ReportBase & { type: 'complained' });

type ReportEvent = Extract<AccountEvent, { type: 'EmailDelivered' | 'EmailBounced' | 'EmailComplained' }>;

export type ReportDecision =
  | { outcome: 'append'; event: ReportEvent; correlationId: string; organizationId?: string }
  | { outcome: 'duplicate' | 'unknown-account' | 'unknown-email' };

/** Deterministic, so a report the provider sends again cannot be recorded twice. */
export const reportEventId = (report: ProviderReport) => uuidFrom(`provider-report:${report.id}`);

function toEvent(report: ProviderReport): ReportEvent {
  const base = {
    kind: report.kind,
    refId: report.refId,
    to: [report.recipient],
    providerMessageId: report.providerMessageId,
  };
  switch (report.type) {
    case 'delivered':
      return { type: 'EmailDelivered', data: { ...base, deliveredAt: report.at } };
    case 'bounced': {
      const { bounceType: type, typeCode, permanent, reason, details } = report;
      const extra = details ? { details } : {};
      return {
        type: 'EmailBounced',
        data: { ...base, type, typeCode, permanent, reason, ...extra, bouncedAt: report.at },
      };
    }
    case 'complained':
      return { type: 'EmailComplained', data: { ...base, complainedAt: report.at } };
    default: {
      const exhaustive: never = report;
      throw new Error(`Unknown report ${JSON.stringify(exhaustive)}`);
    }
  }
}

/**
 * Pure. A report is recorded on the account stream only if that account asked for an email with this
 * ref id and kind — metadata comes back from outside, so it must point at something we sent.
 */
export function decideProviderReport(report: ProviderReport, stream: RecordedEvent[]): ReportDecision {
  const opened = stream.find((e) => e.type === 'AccountOpened');
  if (!opened) return { outcome: 'unknown-account' };
  const eventId = reportEventId(report);
  if (stream.some((e) => e.id === eventId)) return { outcome: 'duplicate' };
  const request = stream.find((e) => {
    const job = emailJobOf(e);
    return job?.refId === report.refId && job.kind === report.kind;
  });
  if (!request) return { outcome: 'unknown-email' };
  const organizationId = (opened.data as { organizationId?: string }).organizationId;
  return { outcome: 'append', event: toEvent(report), correlationId: request.metadata.correlationId, organizationId };
}

export interface RecordedReport {
  outcome: 'recorded' | 'duplicate' | 'unknown-account' | 'unknown-email';
  position?: Position;
}

/**
 * Reads the account stream, decides, and appends at the revision it read (so the duplicate check
 * holds on every store, not only where the server deduplicates event ids); a concurrent append makes
 * it decide again.
 */
export async function recordProviderReport(
  store: EventStore,
  report: ProviderReport,
  now: Date,
  attempts = 3,
): Promise<RecordedReport> {
  const streamName = accountStream(report.accountId);
  for (let attempt = 1; ; attempt++) {
    const stream = await store.readStream(streamName);
    const decision = decideProviderReport(report, stream);
    if (decision.outcome !== 'append') return { outcome: decision.outcome };
    const metadata = {
      occurredAt: now.toISOString(),
      actor: 'system',
      // ties the report to the request that caused the email
      correlationId: decision.correlationId,
      ...(decision.organizationId ? { organizationId: decision.organizationId } : {}),
    };
    const event = { id: reportEventId(report), ...decision.event, metadata };
    try {
      const result = await store.appendToStream(streamName, [event], {
        expectedRevision: stream[stream.length - 1]!.revision,
      });
      return { outcome: 'recorded', position: result.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= attempts) throw error;
    }
  }
}
