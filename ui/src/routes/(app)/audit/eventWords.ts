import { emailKindWord } from '$lib/status';
import { roleWords, type Role } from '$lib/session';
import { dateTime } from '$lib/time';

/**
 * Every stored event type the history can show: mirrors the account and organization events of core
 * (checked by `eventWords.unit.spec.ts`). Types are forever: add, never rename.
 */
export type AuditEventType =
  | 'AccountOpened'
  | 'WelcomeEmailSent'
  | 'SetupCompleted'
  | 'ResetRequested'
  | 'PasswordChanged'
  | 'LoginNameRequested'
  | 'EmailWithheld'
  | 'DesignatedEmailChanged'
  | 'SecondaryEmailAdded'
  | 'SecondaryEmailRemoved'
  | 'EmailDelivered'
  | 'EmailDeliveryFailed'
  | 'EmailBounced'
  | 'EmailComplained'
  | 'OrganizationRegistered';

/** Stored event types, in the words of the "Event" filter and column. */
export const eventNames = {
  AccountOpened: 'Account opened',
  WelcomeEmailSent: 'Welcome email sent',
  SetupCompleted: 'Setup completed',
  ResetRequested: 'Password reset requested',
  PasswordChanged: 'Password changed',
  LoginNameRequested: 'Login name requested',
  EmailWithheld: 'Email withheld',
  DesignatedEmailChanged: 'Designated email changed',
  SecondaryEmailAdded: 'Second email added',
  SecondaryEmailRemoved: 'Second email removed',
  EmailDelivered: 'Email delivered',
  EmailDeliveryFailed: 'Email failed',
  EmailBounced: 'Email bounced',
  EmailComplained: 'Email marked as spam',
  OrganizationRegistered: 'Organization registered',
} satisfies Record<AuditEventType, string>;

export const isAuditEventType = (type: string): type is AuditEventType => Object.hasOwn(eventNames, type);

export const eventName = (type: string) =>
  isAuditEventType(type) ? eventNames[type] : type.replace(/([a-z])([A-Z])/g, '$1 $2');

/** Why an email was not sent: `EmailWithheld.reason` in core. */
export type WithheldReason = 'too-many-requests';
const withheldReasons = { 'too-many-requests': 'too many requests' } satisfies Record<WithheldReason, string>;

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const list = (value: unknown) =>
  Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(' and ') : str(value);
const when = (value: unknown) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? dateTime(value) : '');
const kind = (value: unknown) => emailKindWord(str(value));
const reason = (value: unknown) =>
  Object.hasOwn(withheldReasons, str(value)) ? withheldReasons[str(value) as WithheldReason] : str(value);
/** Email changes since notices existed name the notice sent to the address taken off the account. */
const notice = (data: Record<string, unknown>, to: unknown) =>
  data.noticeId && str(to) ? `; a notice went to ${str(to)}` : '';

/** What happened, as a sentence. Passwords and PINs never reach the history, so none can show here. */
export function eventDetails(type: string, data: Record<string, unknown>): string {
  if (!isAuditEventType(type)) return rawDetails(data);
  switch (type) {
    case 'AccountOpened':
      return `Account ${str(data.loginName)} opened for ${str(data.name)} as ${roleWords[data.role as Role] ?? str(data.role)}, designated email ${str(data.email)}.`;
    case 'WelcomeEmailSent':
      return `Welcome email to ${list(data.recipients)}; the link works until ${when(data.expiresAt)}${data.bulkId ? ' (part of a bulk action)' : ''}.`;
    case 'SetupCompleted':
      return 'Chose a password and a voicemail PIN with the welcome link.';
    case 'ResetRequested':
      return `Reset link sent to ${list(data.recipients)}; it works until ${when(data.expiresAt)}.`;
    case 'PasswordChanged':
      return `Password changed${data.via === 'reset' ? ' with a reset link' : ''}; a notice went to ${list(data.recipients)}.`;
    case 'LoginNameRequested':
      return `Login name asked for by ${str(data.to)}${data.deliver ? '; sent' : ''}.`;
    case 'EmailWithheld':
      return `${kind(data.kind)} withheld: ${reason(data.reason) || 'not sent'}.`;
    case 'DesignatedEmailChanged':
      return `Designated email changed from ${str(data.previousEmail)} to ${str(data.email)}${notice(data, data.previousEmail)}.`;
    case 'SecondaryEmailAdded':
      return data.previousEmail
        ? `Second email changed from ${str(data.previousEmail)} to ${str(data.email)}${notice(data, data.previousEmail)}.`
        : `Second email ${str(data.email)} added.`;
    case 'SecondaryEmailRemoved':
      return `Second email ${str(data.email)} removed${notice(data, data.email)}.`;
    case 'EmailDelivered':
      return `${kind(data.kind)} delivered to ${list(data.to)}.`;
    case 'EmailDeliveryFailed':
      return `${kind(data.kind)} to ${list(data.to)} failed: ${str(data.reason) || 'refused by the email provider'}.`;
    case 'EmailBounced':
      return data.permanent
        ? `${kind(data.kind)} to ${list(data.to)} bounced: ${str(data.reason) || 'refused by the receiving server'}.`
        : `${kind(data.kind)} to ${list(data.to)} bounced for now (${str(data.reason) || 'a temporary problem'}); the email provider tries again.`;
    case 'EmailComplained':
      return `${kind(data.kind)} to ${list(data.to)} was marked as spam; the email provider sends nothing more to that address.`;
    case 'OrganizationRegistered':
      return `Organization ${str(data.name)} registered with the domain ${str(data.domain)}.`;
    default: {
      const unhandled: never = type;
      void unhandled;
      return rawDetails(data);
    }
  }
}

/** A type this build does not know (a newer server): its data, field by field. */
function rawDetails(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(
      ([key, value]) =>
        `${key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}: ${list(value) || JSON.stringify(value)}`,
    )
    .join('; ');
}
