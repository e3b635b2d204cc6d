import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../eventStore/eventStore.js';
import { foldState } from '../commandHandler.js';
// account.ts imports this module too: its bindings are only read at call time, never at load.
import { evolveAccount, initialAccountState } from '../accounts/account.js';
import type { AccountEvent, EmailKind } from '../accounts/events.js';

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
    case 'AccountOpened':
    case 'SetupCompleted':
    case 'EmailWithheld':
    case 'EmailDelivered':
    case 'EmailDeliveryFailed':
    case 'EmailBounced':
    case 'EmailComplained':
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
 * True when the job needs no email: its outcome is already recorded (sent before a crash or restart),
 * or — for links — a newer link of the same kind made this one useless.
 */
export function isSettled(job: EmailJob, stream: RecordedEvent[]): boolean {
  const later = stream.filter((e) => e.revision > job.event.revision);
  // A provider report (bounce, complaint) also proves the email went out, even if a crash lost our record.
  const outcomeTypes = new Set(['EmailDelivered', 'EmailDeliveryFailed', 'EmailBounced', 'EmailComplained']);
  const outcomeRecorded = later.some(
    (e) => outcomeTypes.has(e.type) && (e.data as { refId: string }).refId === job.refId,
  );
  if (outcomeRecorded) return true;
  if (job.kind !== 'welcome' && job.kind !== 'reset') return false;
  // A link is worth sending only while it is the account's usable one: not superseded by a newer
  // link, not used, not killed by a password change or by an email change that dropped a recipient.
  const { state } = foldState(stream, { evolve: evolveAccount, initialState: initialAccountState });
  if (state.status === 'absent') return true;
  return job.kind === 'welcome' ? state.invite?.inviteId !== job.refId : state.reset?.resetId !== job.refId;
}
