import { emailKindWord } from '$lib/status';
import { actorWords } from './actorWords';
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
  | 'AccountRenamed'
  | 'RoleChanged'
  | 'ExtensionChanged'
  | 'AccountDeactivated'
  | 'AccountReactivated'
  | 'AccountErased'
  | 'SignedOutEverywhere'
  | 'VoicemailPinChanged'
  | 'PinResetRequested'
  | 'WelcomeReminderSent'
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
  AccountRenamed: 'Account renamed',
  RoleChanged: 'Role changed',
  ExtensionChanged: 'Extension changed',
  AccountDeactivated: 'Account deactivated',
  AccountReactivated: 'Account reactivated',
  AccountErased: 'Account erased',
  SignedOutEverywhere: 'Signed out everywhere',
  VoicemailPinChanged: 'Voicemail PIN changed',
  PinResetRequested: 'PIN reset email sent',
  WelcomeReminderSent: 'Welcome reminder sent',
  OrganizationRegistered: 'Organization registered',
} satisfies Record<AuditEventType, string>;

export const isAuditEventType = (type: string): type is AuditEventType => Object.hasOwn(eventNames, type);

export const eventName = (type: string) =>
  isAuditEventType(type) ? eventNames[type] : type.replace(/([a-z])([A-Z])/g, '$1 $2');

/** Why an email was not sent: `EmailWithheld.reason` in core. */
export type WithheldReason = 'too-many-requests';
const withheldReasons = { 'too-many-requests': 'too many requests' } satisfies Record<WithheldReason, string>;

/** What a personal field reads once its account is erased (`ERASED` in core/accounts/events.ts). */
const ERASED = 'erased';
const personal = (value: string) => (value === ERASED ? '(erased)' : value);

const str = (value: unknown) => (typeof value === 'string' ? personal(value) : '');
const list = (value: unknown) =>
  Array.isArray(value)
    ? value
        .filter((v) => typeof v === 'string')
        .map(personal)
        .join(' and ')
    : str(value);
const when = (value: unknown) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? dateTime(value) : '');
const kind = (value: unknown) => emailKindWord(str(value));
const role = (value: unknown) => roleWords[value as Role] ?? str(value);
const reason = (value: unknown) =>
  Object.hasOwn(withheldReasons, str(value)) ? withheldReasons[str(value) as WithheldReason] : str(value);
/** Email changes since notices existed name the notice sent to the address taken off the account. */
const notice = (data: Record<string, unknown>, to: unknown) =>
  data.noticeId && str(to) ? `; a notice went to ${str(to)}` : '';
/** The free-text reason of a deactivation or reactivation, quoted; it is personal, so it may be erased. */
const because = (value: unknown) => {
  if (typeof value !== 'string' || value.trim() === '') return '';
  return value === ERASED ? ' (the reason given is erased)' : `, saying: “${value}”`;
};

/**
 * "4 hours", "45 minutes": from the event to a time it names, the way the email said it. The
 * reminders sweep runs every few seconds, so 3 h 59 min reads as the 4 hours it was meant as.
 */
function timeLeft(from: unknown, to: unknown): string | undefined {
  if (typeof from !== 'string' || typeof to !== 'string') return undefined;
  const minutes = Math.round((Date.parse(to) - Date.parse(from)) / 60_000);
  if (!Number.isFinite(minutes) || minutes < 0) return undefined;
  if (minutes >= 90) return `${Math.round(minutes / 60)} hours`;
  if (minutes >= 1) return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  return 'less than a minute';
}

/** Data keys that would hold a secret. The server never sends them (`redactSecrets`); the UI drops them too. */
const SECRET = /hash|token|secret|password|^pin$|mac$/i;

/** The event data with anything that looks like a secret left out: what the CSV's raw column shows. */
export const visibleData = (data: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(data).filter(([key]) => !SECRET.test(key)));

export interface EventContext {
  /** who did it, in words (`actorWords`) */
  actor?: string;
  /** the actor is the user the event is about */
  self?: boolean;
  /** when it happened (ISO), for what is said relative to it: "expires in 4 hours" */
  at?: string;
}

/** The sentence of one row of the history: its actor in words, and whether they acted on their own account. */
export const rowDetails = (row: {
  type: string;
  data: Record<string, unknown>;
  actorName: string;
  userName: string | null;
  occurredAt: string;
}) =>
  eventDetails(row.type, row.data, {
    actor: actorWords(row),
    self: row.userName !== null && row.actorName === row.userName,
    at: row.occurredAt,
  });

/**
 * What happened, as a sentence. The entries of movers and leavers name who did it ("Olivia Park
 * changed the extension from 101 to 141"); the older ones read after the "Who" column. Passwords and
 * PINs never reach the history, so none can show here; an erased person's fields read "(erased)".
 */
export function eventDetails(
  type: string,
  data: Record<string, unknown>,
  { actor = 'Someone', self = false, at }: EventContext = {},
): string {
  if (!isAuditEventType(type)) return rawDetails(data);
  switch (type) {
    case 'AccountOpened':
      return `Account ${str(data.loginName)} opened for ${str(data.name)} as ${role(data.role)}, designated email ${str(data.email)}.`;
    case 'WelcomeEmailSent':
      return `Welcome email to ${list(data.recipients)}; the link works until ${when(data.expiresAt)}${data.bulkId ? ' (part of a bulk action)' : ''}.`;
    case 'SetupCompleted':
      return 'Chose a password and a voicemail PIN with the welcome link.';
    case 'ResetRequested':
      return `Reset link sent to ${list(data.recipients)}; it works until ${when(data.expiresAt)}.`;
    case 'PasswordChanged':
      if (data.via === 'self') {
        return `Password changed by the user, signed in; their other sessions ended, and a notice went to ${list(data.recipients)}.`;
      }
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
    case 'AccountRenamed':
      return data.name === ERASED
        ? `${actor} renamed the account (both names are erased).`
        : `${actor} renamed the account from ${str(data.previousName)} to ${str(data.name)}.`;
    case 'RoleChanged':
      return `${actor} changed the role from ${role(data.previousRole)} to ${role(data.role)}.`;
    case 'ExtensionChanged': {
      const told = list(data.recipients);
      return (
        `${actor} changed the extension from ${str(data.from)} to ${str(data.to)}. ` +
        `The login name is now ${str(data.loginName)} (was ${str(data.previousLoginName)})${told ? `; an email told ${told}` : ''}.`
      );
    }
    case 'AccountDeactivated':
      return `${actor} deactivated the account${because(data.reason)}. Every session ended and every link stopped working.`;
    case 'AccountReactivated':
      return `${actor} reactivated the account${because(data.reason)}.`;
    case 'AccountErased':
      return `${actor} erased the account: its name, email addresses and free text can no longer be read. What happened, when and who did it stays.`;
    case 'SignedOutEverywhere':
      return self
        ? `${actor} signed out everywhere: every session ended.`
        : `${actor} signed the user out everywhere: every session ended.`;
    case 'VoicemailPinChanged':
      return data.via === 'reset'
        ? 'Voicemail PIN changed with a PIN reset link.'
        : 'Voicemail PIN changed by the user, signed in.';
    case 'PinResetRequested':
      return `${actor} sent a PIN reset email to ${list(data.recipients)}; the link works until ${when(data.expiresAt)}.`;
    case 'WelcomeReminderSent': {
      const left = timeLeft(at, data.expiresAt);
      return (
        `Reminder sent to ${list(data.recipients)}: the setup link ${left ? `expires in ${left}, at` : 'works until'} ${when(data.expiresAt)}. ` +
        'It is the link of the welcome email, not a new one.'
      );
    }
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
  return Object.entries(visibleData(data))
    .map(
      ([key, value]) =>
        `${key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}: ${list(value) || JSON.stringify(value)}`,
    )
    .join('; ');
}
