import { randomUUID } from 'node:crypto';
import { accountDecider } from '../accounts/accountDecider.js';
import { reportRefusal, type ProviderReportEvent, type ReportRefusal } from '../accounts/emailOutcomes.js';
import { accountStream, type EmailKind } from '../accounts/events.js';
import { handleCommand } from '../commandHandler.js';
import type { EventMetadata, EventStore, Position, RecordedEvent } from '../eventStore/eventStore.js';
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

/** Deterministic, so a report the provider sends again is appended with the same event id. */
export const reportEventId = (report: ProviderReport) => uuidFrom(`provider-report:${report.id}`);

/** Pure: the event a report becomes, if the account decider accepts it. */
export function toReportEvent(report: ProviderReport): ProviderReportEvent {
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

export interface RecordedReport {
  outcome: 'recorded' | ReportRefusal;
  position?: Position;
}

/** Ties the report to the request that caused the email, as every event of that request is tied. */
function metadataOf(stream: RecordedEvent[], report: ProviderReport, now: Date): EventMetadata {
  const request = stream.find((e) => {
    const job = emailJobOf(e);
    return job?.refId === report.refId && job.kind === report.kind;
  });
  const organizationId = request?.metadata.organizationId;
  return {
    occurredAt: now.toISOString(),
    actor: 'system',
    correlationId: request?.metadata.correlationId ?? randomUUID(),
    ...(organizationId ? { organizationId } : {}),
  };
}

/**
 * The account decider accepts or refuses the report (`RecordProviderReport`); the command handler
 * appends at the revision it decided on and decides again after a concurrent append. The correlation
 * id is looked up beforehand: it decides nothing, so a stale read of it is harmless.
 */
export async function recordProviderReport(
  store: EventStore,
  report: ProviderReport,
  now: Date,
): Promise<RecordedReport> {
  const streamName = accountStream(report.accountId);
  const metadata = metadataOf(await store.readStream(streamName), report, now);
  const event = toReportEvent(report);
  const { events, state, position } = await handleCommand(
    store,
    streamName,
    accountDecider,
    { type: 'RecordProviderReport', data: { event } },
    metadata,
    { eventIds: [reportEventId(report)] },
  );
  if (events.length > 0) return { outcome: 'recorded', ...(position ? { position } : {}) };
  return { outcome: reportRefusal(state, event) ?? 'duplicate' };
}
