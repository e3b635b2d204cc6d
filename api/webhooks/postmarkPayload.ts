import type { EmailKind } from '../../core/accounts/events.js';
import type { ProviderReport } from '../../core/email/providerReports.js';

/**
 * Postmark webhook bodies (Delivery, Bounce, SpamComplaint) → provider reports. Field names are
 * Postmark's; `Metadata` carries `{ accountId, refId, kind }`, which our Postmark sender puts on every
 * message. Anything else Postmark sends (Open, Click, SubscriptionChange…) is not ours to record.
 */
export type ParsedPayload =
  | { kind: 'report'; recordType: string; report: ProviderReport }
  | { kind: 'ignored'; recordType?: string; reason: string }
  | { kind: 'malformed'; recordType?: string; problems: string[] };

const handledTypes = new Set(['Delivery', 'Bounce', 'SpamComplaint']);
// Compiler-checked: a new email kind fails to build until webhooks accept it.
const emailKindList = {
  welcome: true,
  reset: true,
  'login-name': true,
  'password-changed': true,
  'email-changed': true,
  'extension-changed': true,
  'pin-reset': true,
  'welcome-reminder': true,
} satisfies Record<EmailKind, true>;
const emailKinds = new Set<string>(Object.keys(emailKindList));
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const DETAILS_MAX = 500;

/** Postmark bounce types, in words an office manager can act on; `permanent` means it never arrived. */
const bounceTypes: Record<string, { reason: string; permanent: boolean }> = {
  HardBounce: { reason: 'mailbox does not exist', permanent: true },
  BadEmailAddress: { reason: 'invalid email address', permanent: true },
  Blocked: { reason: "blocked by the recipient's mail server", permanent: true },
  DMARCPolicy: { reason: "rejected under the sender domain's DMARC policy", permanent: true },
  ManuallyDeactivated: { reason: 'address deactivated in Postmark', permanent: true },
  SpamComplaint: { reason: 'the recipient marked an earlier email as spam', permanent: true },
  Unsubscribe: { reason: 'the recipient unsubscribed', permanent: true },
  SoftBounce: { reason: 'mailbox temporarily unavailable (e.g. full)', permanent: false },
  Transient: { reason: 'temporary delivery problem; Postmark retries', permanent: false },
  DnsError: { reason: "the recipient's mail domain could not be reached", permanent: false },
  AutoResponder: { reason: 'automatic reply (e.g. out of office)', permanent: false },
  AddressChange: { reason: 'the recipient reports a new address', permanent: false },
  ChallengeVerification: { reason: 'the recipient asks the sender to verify itself', permanent: false },
};

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Collects problems instead of stopping at the first, so a 400 names every one. */
function reader(body: Fields, problems: string[]) {
  const text = (field: string, { optional = false, max = 1000 } = {}): string | undefined => {
    const value = body[field];
    if (value === undefined || value === null || value === '') {
      if (!optional) problems.push(`${field} is missing`);
      return undefined;
    }
    if (typeof value !== 'string' || value.length > max) {
      problems.push(`${field} must be a string of at most ${max} characters`);
      return undefined;
    }
    return value;
  };
  return {
    text,
    address(field: string) {
      const value = text(field, { max: 320 });
      if (value !== undefined && !/^[^\s@]+@[^\s@]+$/.test(value)) problems.push(`${field} must be an email address`);
      return value;
    },
    time(field: string) {
      const value = text(field, { max: 64 });
      if (value === undefined) return undefined;
      const parsed = Date.parse(value);
      if (Number.isNaN(parsed)) problems.push(`${field} must be a date and time`);
      return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
    },
    integer(field: string) {
      const value = body[field];
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) problems.push(`${field} must be a whole number`);
      return typeof value === 'number' ? value : 0;
    },
  };
}

/** Our metadata, or why there is none: a message some other system sent through the same server. */
function ourMetadata(
  body: Fields,
  problems: string[],
): { accountId: string; refId: string; kind: EmailKind } | 'absent' | undefined {
  const metadata = body.Metadata;
  if (metadata === undefined || metadata === null) return 'absent';
  if (!isObject(metadata)) {
    problems.push('Metadata must be an object');
    return undefined;
  }
  const { accountId, refId, kind } = metadata;
  if (accountId === undefined && refId === undefined && kind === undefined) return 'absent';
  if (typeof accountId !== 'string' || !ID.test(accountId)) problems.push('Metadata.accountId must be an id');
  if (typeof refId !== 'string' || !ID.test(refId)) problems.push('Metadata.refId must be an id');
  if (typeof kind !== 'string' || !emailKinds.has(kind))
    problems.push(`Metadata.kind must be one of ${[...emailKinds].join(', ')}`);
  return problems.length > 0
    ? undefined
    : { accountId: accountId as string, refId: refId as string, kind: kind as EmailKind };
}

export function parsePostmarkPayload(body: unknown): ParsedPayload {
  if (!isObject(body)) return { kind: 'malformed', problems: ['the body must be a JSON object'] };
  const recordType = body.RecordType;
  if (typeof recordType !== 'string' || recordType === '')
    return { kind: 'malformed', problems: ['RecordType is missing'] };
  if (!handledTypes.has(recordType))
    return { kind: 'ignored', recordType, reason: `record type ${recordType.slice(0, 40)} is not recorded` };

  const problems: string[] = [];
  const read = reader(body, problems);
  const providerMessageId = read.text('MessageID', { max: 100 });
  const recipient = read.address(recordType === 'Delivery' ? 'Recipient' : 'Email');
  const at = read.time(recordType === 'Delivery' ? 'DeliveredAt' : 'BouncedAt');
  const bounce =
    recordType === 'Bounce'
      ? {
          type: read.text('Type', { max: 64 }),
          typeCode: read.integer('TypeCode'),
          description: read.text('Description', { optional: true }),
          details: read.text('Details', { optional: true, max: 100_000 }),
          inactive: body.Inactive === true,
        }
      : undefined;
  const metadata = ourMetadata(body, problems);
  if (problems.length > 0) return { kind: 'malformed', recordType, problems };
  if (metadata === 'absent') return { kind: 'ignored', recordType, reason: 'the message carries no keyturn metadata' };

  // One report per message, record type and recipient: Postmark reports each recipient of a message on its own.
  const base = {
    ...metadata!,
    id: `postmark:${recordType}:${providerMessageId!}:${recipient!.toLowerCase()}`,
    providerMessageId: providerMessageId!,
    recipient: recipient!,
    at: at!,
  };
  if (recordType === 'Delivery') return { kind: 'report', recordType, report: { ...base, type: 'delivered' } };
  if (recordType === 'SpamComplaint') return { kind: 'report', recordType, report: { ...base, type: 'complained' } };
  const known = bounceTypes[bounce!.type!];
  const details = bounce!.details?.slice(0, DETAILS_MAX);
  const report: ProviderReport = {
    ...base,
    type: 'bounced',
    bounceType: bounce!.type!,
    typeCode: bounce!.typeCode,
    // Postmark deactivates an address it will not send to again: whatever the type, that is final.
    permanent: (known?.permanent ?? false) || bounce!.inactive,
    reason: known?.reason ?? bounce!.description ?? `bounced (${bounce!.type!})`,
    ...(details ? { details } : {}),
  };
  return { kind: 'report', recordType, report };
}
