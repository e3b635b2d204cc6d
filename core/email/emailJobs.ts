import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../eventStore/eventStore.js';
// account.ts imports this module too: its bindings are only read at call time, never at load.
import { isOpen, type OpenAccountState } from '../accounts/account.js';
import type { AccountEvent, EmailKind } from '../accounts/events.js';
import { accountStateOf } from './accountState.js';

/** Which email an account event asks for. */
export interface EmailRequest {
  kind: EmailKind;
  /** the id the outcome refers to: invite, reset, change or request id */
  refId: string;
}

/** One email an event asks for. */
export interface EmailJob extends EmailRequest {
  event: RecordedEvent;
  data: AccountEvent['data'];
  /** deterministic id of the outcome event: appending it twice is a no-op */
  outcomeEventId: string;
}

/** A UUID-shaped id derived from `text`: the same text always gives the same event id (idempotent appends). */
export const uuidFrom = (text: string) => {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * The one place that says which event asks for which email. Pure: the account decider uses it too, to
 * know which emails an account was sent (provider reports must point at one). A stored type this
 * build does not know asks for nothing.
 */
export function emailRequestOf(e: { type: string; data: unknown }): EmailRequest | undefined {
  // A stored event with a broken payload asks for nothing rather than stopping every consumer.
  if (e.data === null || typeof e.data !== 'object') return undefined;
  const request = requestOf(e as AccountEvent);
  return typeof request?.refId === 'string' && request.refId !== '' ? request : undefined;
}

function requestOf(event: AccountEvent): EmailRequest | undefined {
  switch (event.type) {
    case 'WelcomeEmailSent':
      return { kind: 'welcome', refId: event.data.inviteId };
    case 'ResetRequested':
      return { kind: 'reset', refId: event.data.resetId };
    case 'PasswordChanged':
      return { kind: 'password-changed', refId: event.data.changeId };
    case 'LoginNameRequested':
      return event.data.deliver ? { kind: 'login-name', refId: event.data.requestId } : undefined;
    // A notice to the address an email change took off the account (events from before notices have no id).
    case 'DesignatedEmailChanged':
    case 'SecondaryEmailRemoved':
      return event.data.noticeId ? { kind: 'email-changed', refId: event.data.noticeId } : undefined;
    case 'SecondaryEmailAdded':
      return event.data.noticeId && event.data.previousEmail
        ? { kind: 'email-changed', refId: event.data.noticeId }
        : undefined;
    // The user's login name is made of the extension: the old one stops working, so they must hear of it.
    case 'ExtensionChanged':
      return event.data.noticeId ? { kind: 'extension-changed', refId: event.data.noticeId } : undefined;
    case 'PinResetRequested':
      return { kind: 'pin-reset', refId: event.data.resetId };
    case 'WelcomeReminderSent':
      return { kind: 'welcome-reminder', refId: event.data.reminderId };
    case 'AccountOpened':
    case 'SetupCompleted':
    case 'EmailWithheld':
    case 'EmailDelivered':
    case 'EmailDeliveryFailed':
    case 'EmailBounced':
    case 'EmailComplained':
    case 'AccountRenamed':
    case 'RoleChanged':
    case 'AccountDeactivated':
    case 'AccountReactivated':
    case 'AccountErased':
    case 'SignedOutEverywhere':
    case 'VoicemailPinChanged':
      return undefined;
    default: {
      const _exhaustive: never = event;
      return undefined;
    }
  }
}

export function emailJobOf(event: RecordedEvent): EmailJob | undefined {
  const request = emailRequestOf(event);
  if (!request) return undefined;
  const data = event.data as AccountEvent['data'];
  return { ...request, event, data, outcomeEventId: uuidFrom(`email-outcome:${event.id}`) };
}

/**
 * What may still reach a deactivated account: the notices that tell its owner something changed on it
 * (a warning if it was not them). Never a link or a login name: a deactivated person must not get a way in.
 */
const reachesDeactivated = {
  welcome: false,
  reset: false,
  'pin-reset': false,
  'welcome-reminder': false,
  'login-name': false,
  'extension-changed': false,
  'password-changed': true,
  'email-changed': true,
} satisfies Record<EmailKind, boolean>;

/** A link is worth sending only while it is the account's usable one of its kind; notices always are. */
function linkIsDead(job: EmailJob, state: OpenAccountState): boolean {
  switch (job.kind) {
    case 'welcome':
      return state.invite?.inviteId !== job.refId;
    case 'welcome-reminder':
      // The reminder carries the welcome link: worth sending only while that link still is.
      return state.invite?.inviteId !== (job.data as { inviteId?: string }).inviteId;
    case 'reset':
      return state.reset?.resetId !== job.refId;
    case 'pin-reset':
      return state.pinReset?.resetId !== job.refId;
    case 'login-name':
    case 'password-changed':
    case 'email-changed':
    case 'extension-changed':
      return false;
    default: {
      // A new kind must say here whether it is a link that can die.
      const _exhaustive: never = job.kind;
      return false;
    }
  }
}

/**
 * True when the job needs no email: its outcome is already recorded (sent before a crash or restart);
 * the account is erased, or deactivated and the email is not one it may still get; or — for links — a
 * newer link of the same kind, its use, a password/PIN change or an email change that dropped a
 * recipient made this one useless. Judged on the stream as it is now, not as of the event: what
 * happened since the request (a deactivation, an erasure) decides.
 */
export function isSettled(job: EmailJob, stream: RecordedEvent[]): boolean {
  const later = stream.filter((e) => e.revision > job.event.revision);
  // A provider report (bounce, complaint) also proves the email went out, even if a crash lost our record.
  const outcomeTypes = new Set(['EmailDelivered', 'EmailDeliveryFailed', 'EmailBounced', 'EmailComplained']);
  const outcomeRecorded = later.some(
    (e) => outcomeTypes.has(e.type) && (e.data as { refId: string }).refId === job.refId,
  );
  if (outcomeRecorded) return true;
  const state = accountStateOf(stream);
  // Unreadable or no account: an anomaly, not a rule; preparing the job logs it and sends nothing.
  if (state === undefined || state.status === 'absent') return false;
  // An erased person gets nothing more from us, not even a notice.
  if (!isOpen(state)) return true;
  if (state.deactivated && !reachesDeactivated[job.kind]) return true;
  return linkIsDead(job, state);
}
