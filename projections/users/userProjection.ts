import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import {
  accountEventTypes,
  accountIdOfStream,
  type AccountEvent,
  type AccountEventType,
  type EmailKind,
} from '../../core/accounts/events.js';
import type { LastEmail, UserView } from '../readModel.js';

/**
 * This projection reads every account event type; `change` below switches over all of them with a
 * `never` check, so a new type fails to compile until it is handled there. Anything else in the log
 * (other streams, a type from a newer version) passes by.
 */
export const userHandles: readonly AccountEventType[] = accountEventTypes;

const handled = new Set<string>(userHandles);

/** The user document an event belongs to, or undefined when this projection ignores the event. */
export function userIdOf(event: RecordedEvent): string | undefined {
  const accountId = accountIdOfStream(event.streamName);
  return accountId !== undefined && handled.has(event.type) ? accountId : undefined;
}

/**
 * Pure: no I/O, no clock. Returns the same object when the event changes nothing, so adapters can
 * skip the write. Delivery is at-least-once: an event at or below the stored stream revision was
 * applied already and is a no-op, which makes replays and redeliveries safe.
 */
export function evolveUser(doc: UserView | null, event: RecordedEvent): UserView | null {
  if (userIdOf(event) === undefined) return doc;
  const revision = Number(event.revision);
  if (doc && revision <= doc.revision) return doc;
  const e = { type: event.type, data: event.data } as AccountEvent;
  if (e.type === 'AccountOpened') return doc ?? opened(e.data, revision);
  // Nothing to attach it to: the account was never opened (or its opening was never delivered).
  if (!doc) return null;
  if (doc.erasedAt) return { ...doc, revision };
  return { ...change(doc, e, event.metadata.occurredAt), revision };
}

function opened(data: Extract<AccountEvent, { type: 'AccountOpened' }>['data'], revision: number): UserView {
  const { accountId, organizationId, name, extension, loginName, email, role } = data;
  return { id: accountId, organizationId, name, extension, loginName, email, role, revision };
}

const pending = (kind: EmailKind, refId: string, to: string[], at: string, bulkId?: string): LastEmail => ({
  kind,
  refId,
  status: 'PENDING',
  to,
  at,
  ...(bulkId ? { bulkId } : {}),
});

function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _dropped, ...rest } = value;
  return rest;
}

const versionAfter = (doc: UserView) => (doc.credentialVersion ?? 0) + 1;

export const ERASED_NAME = 'Erased user';

/**
 * Nothing personal stays: no name, no address, no email history; the extension and login name go too
 * (released: another user may hold them now). Ids and times remain so the audit history keeps its shape. Events after the erasure (none are
 * decided, but a late provider report may arrive) change nothing.
 */
function erased(doc: UserView, at: string): UserView {
  const { secondaryEmail: _s, lastEmail: _l, ...rest } = doc;
  return {
    ...rest,
    name: ERASED_NAME,
    email: '',
    extension: '',
    loginName: '',
    deactivatedAt: doc.deactivatedAt ?? at,
    erasedAt: at,
    credentialVersion: versionAfter(doc),
  };
}

function change(doc: UserView, e: Exclude<AccountEvent, { type: 'AccountOpened' }>, at: string): UserView {
  switch (e.type) {
    case 'WelcomeEmailSent':
      return {
        // A new link gets its own reminder.
        ...omit(doc, 'welcomeReminderSentAt'),
        welcomeEmailSentAt: at,
        setupLinkExpiresAt: e.data.expiresAt,
        lastEmail: pending('welcome', e.data.inviteId, e.data.recipients, at, e.data.bulkId),
      };
    case 'SetupCompleted':
      return { ...omit(doc, 'setupLinkExpiresAt'), setupCompletedAt: at };
    case 'ResetRequested':
      return { ...doc, lastEmail: pending('reset', e.data.resetId, e.data.recipients, at) };
    case 'PasswordChanged':
      return {
        ...doc,
        credentialVersion: versionAfter(doc),
        lastEmail: pending('password-changed', e.data.changeId, e.data.recipients, at),
      };
    case 'EmailWithheld': {
      // Shown where the office manager looks when a user says nothing arrived.
      const what = e.data.kind === 'reset' ? 'password reset' : 'login name';
      const error = `Not sent: too many ${what} emails to this address within the hour.`;
      return {
        ...doc,
        lastEmail: { kind: e.data.kind, refId: e.data.withheldId, status: 'FAILED', to: [], at, error },
      };
    }
    case 'LoginNameRequested':
      // One request names every account of an address; only the one that sends the email tracks it.
      return e.data.deliver ? { ...doc, lastEmail: pending('login-name', e.data.requestId, [e.data.to], at) } : doc;
    case 'DesignatedEmailChanged':
      return { ...doc, email: e.data.email };
    case 'SecondaryEmailAdded':
      return { ...doc, secondaryEmail: e.data.email };
    case 'SecondaryEmailRemoved':
      return omit(doc, 'secondaryEmail');
    case 'EmailDelivered':
      // Outcomes arrive late and out of step with sends: only the email on display may change.
      if (doc.lastEmail?.refId !== e.data.refId) return doc;
      // The provider's Delivery webhook (`deliveredAt`) of another recipient must not hide a bounce.
      if (e.data.deliveredAt && doc.lastEmail.status === 'FAILED') return doc;
      return { ...doc, lastEmail: { ...omit(doc.lastEmail, 'error'), status: 'DELIVERED', at } };
    case 'EmailDeliveryFailed':
      if (doc.lastEmail?.refId !== e.data.refId) return doc;
      return { ...doc, lastEmail: { ...doc.lastEmail, status: 'FAILED', at, error: e.data.reason } };
    case 'EmailBounced':
      // Only a permanent bounce means the email never arrived; soft bounces are retried by the provider.
      if (doc.lastEmail?.refId !== e.data.refId || !e.data.permanent) return doc;
      return {
        ...doc,
        lastEmail: { ...doc.lastEmail, status: 'FAILED', at, error: `${e.data.reason} (${e.data.to.join(', ')})` },
      };
    case 'EmailComplained':
      // The email arrived; the complaint is in the history, and the provider refuses the address from now on.
      return doc;
    case 'AccountRenamed':
      return { ...doc, name: e.data.name };
    case 'RoleChanged':
      return { ...doc, role: e.data.role };
    case 'ExtensionChanged':
      return {
        ...doc,
        extension: e.data.to,
        loginName: e.data.loginName,
        ...(e.data.noticeId ? { lastEmail: pending('extension-changed', e.data.noticeId, e.data.recipients, at) } : {}),
      };
    case 'AccountDeactivated':
      // Its link died with it: reactivated before setup, the account is NOT_INVITED again.
      return { ...omit(doc, 'setupLinkExpiresAt'), deactivatedAt: at, credentialVersion: versionAfter(doc) };
    case 'AccountReactivated':
      return omit(doc, 'deactivatedAt');
    case 'SignedOutEverywhere':
      return { ...doc, credentialVersion: versionAfter(doc) };
    case 'PinResetRequested':
      return { ...doc, lastEmail: pending('pin-reset', e.data.resetId, e.data.recipients, at) };
    case 'VoicemailPinChanged':
      return doc;
    case 'WelcomeReminderSent':
      return {
        ...doc,
        welcomeReminderSentAt: at,
        lastEmail: pending('welcome-reminder', e.data.reminderId, e.data.recipients, at),
      };
    case 'AccountErased':
      return erased(doc, at);
    default: {
      // Unreachable for stored types (`userIdOf` filters on the handled list); the compiler checks it.
      const _unknown: never = e;
      return doc;
    }
  }
}
