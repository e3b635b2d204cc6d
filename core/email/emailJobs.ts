import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../eventStore/eventStore.js';
import type { AccountEvent, EmailKind } from '../accounts/events.js';

/** One email an event asks for. */
export interface EmailJob {
  kind: EmailKind;
  /** the id the outcome refers to: invite, reset, change or request id */
  refId: string;
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

export function emailJobOf(event: RecordedEvent): EmailJob | undefined {
  const e = { type: event.type, data: event.data } as AccountEvent;
  const job = (kind: EmailKind, refId: string): EmailJob => ({
    kind,
    refId,
    event,
    data: e.data,
    outcomeEventId: uuidFrom(`email-outcome:${event.id}`),
  });
  switch (e.type) {
    case 'WelcomeEmailSent':
      return job('welcome', e.data.inviteId);
    case 'ResetRequested':
      return job('reset', e.data.resetId);
    case 'PasswordChanged':
      return job('password-changed', e.data.changeId);
    case 'LoginNameRequested':
      return e.data.deliver ? job('login-name', e.data.requestId) : undefined;
    default:
      return undefined;
  }
}

/**
 * True when the job needs no email: its outcome is already recorded (sent before a crash or restart),
 * or — for links — a newer link of the same kind made this one useless.
 */
export function isSettled(job: EmailJob, stream: RecordedEvent[]): boolean {
  const later = stream.filter((e) => e.revision > job.event.revision);
  // A provider report (bounce, complaint) also proves the email went out, even if a crash lost our record.
  const outcomeTypes = new Set(['EmailDelivered', 'EmailDeliveryFailed', 'EmailBounced', 'EmailComplained']);
  const outcomeRecorded = later.some((e) => outcomeTypes.has(e.type) && (e.data as { refId: string }).refId === job.refId);
  if (outcomeRecorded) return true;
  if (job.kind === 'welcome') return later.some((e) => e.type === 'WelcomeEmailSent' || e.type === 'SetupCompleted');
  if (job.kind === 'reset') return later.some((e) => e.type === 'ResetRequested' || e.type === 'PasswordChanged');
  return false;
}
