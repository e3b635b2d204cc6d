import { emailRequestOf } from '../email/emailJobs.js';
import type { AccountState } from './account.js';
import type { AccountEvent, EmailKind } from './events.js';

/** What the provider did with an email the reactor handed it. */
export type EmailOutcome =
  | { delivered: true; kind: EmailKind; refId: string; to: string[]; providerMessageId?: string }
  | { delivered: false; kind: EmailKind; refId: string; to: string[]; errorCode: string; reason: string };

/** A provider's later word on one message to one recipient (webhooks). */
export type ProviderReportEvent = Extract<
  AccountEvent,
  { type: 'EmailDelivered' | 'EmailBounced' | 'EmailComplained' }
>;

export type ReportRefusal = 'unknown-account' | 'unknown-email' | 'duplicate';

/**
 * What an account remembers of its emails to decide on outcomes and reports: keys only, and absent
 * until the first email, so the state stays small.
 */
export interface EmailLedger {
  /** `kind:refId` of every email the account asked for */
  requested: readonly string[];
  /** ref ids with an outcome: accepted or refused by the provider, or reported on by it */
  outcomes: readonly string[];
  /** recorded provider reports, by `reportKeyOf` */
  reports: readonly string[];
}

const requestKey = (kind: EmailKind, refId: string) => `${kind}:${refId}`;

/**
 * A provider reports each record type once per message and recipient (Postmark's webhook id is made of
 * the same three), so the event alone names its report — in streams recorded before this ledger too.
 */
export function reportKeyOf(event: AccountEvent): string | undefined {
  if (event.type !== 'EmailDelivered' && event.type !== 'EmailBounced' && event.type !== 'EmailComplained') {
    return undefined;
  }
  // The reactor's own EmailDelivered (the provider accepted it) is no report; a Delivery webhook's has a time.
  if (event.type === 'EmailDelivered' && !event.data.deliveredAt) return undefined;
  return `${event.type}:${event.data.providerMessageId ?? ''}:${event.data.to.join(',').toLowerCase()}`;
}

const isOutcome = (event: AccountEvent) =>
  event.type === 'EmailDelivered' ||
  event.type === 'EmailDeliveryFailed' ||
  event.type === 'EmailBounced' ||
  event.type === 'EmailComplained';

function adding(ledger: EmailLedger | undefined, field: keyof EmailLedger, key: string): EmailLedger {
  const current = ledger ?? { requested: [], outcomes: [], reports: [] };
  return current[field].includes(key) ? current : { ...current, [field]: [...current[field], key] };
}

export function evolveEmailLedger(ledger: EmailLedger | undefined, event: AccountEvent): EmailLedger | undefined {
  const request = emailRequestOf(event);
  if (request) return adding(ledger, 'requested', requestKey(request.kind, request.refId));
  if (!isOutcome(event)) return ledger;
  const withOutcome = adding(ledger, 'outcomes', (event.data as { refId: string }).refId);
  const report = reportKeyOf(event);
  return report ? adding(withOutcome, 'reports', report) : withOutcome;
}

/**
 * One outcome per email: a batch delivered again, or a second reactor, finds it recorded and records
 * nothing — on every store, not only those that deduplicate event ids. A provider report counts too:
 * it proves the email went out.
 */
export function decideEmailOutcome(outcome: EmailOutcome, ledger: EmailLedger | undefined): AccountEvent[] {
  if (ledger?.outcomes.includes(outcome.refId)) return [];
  if (outcome.delivered) {
    const { delivered: _delivered, ...data } = outcome;
    return [{ type: 'EmailDelivered', data }];
  }
  const { delivered: _delivered, ...data } = outcome;
  return [{ type: 'EmailDeliveryFailed', data }];
}

/**
 * Why a report is not recorded, if it is not. Its metadata came back from outside, so it must point at
 * an email this account asked for, of that kind; a report the provider sends again is recorded once.
 */
export function reportRefusal(state: AccountState, event: ProviderReportEvent): ReportRefusal | undefined {
  if (state.status === 'absent' || state.status === 'erased') return 'unknown-account';
  if (!state.emails?.requested.includes(requestKey(event.data.kind, event.data.refId))) return 'unknown-email';
  const key = reportKeyOf(event);
  return key !== undefined && state.emails.reports.includes(key) ? 'duplicate' : undefined;
}
