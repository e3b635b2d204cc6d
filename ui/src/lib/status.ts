import { durationWords } from './time';

/** Mirrors `AccountStatus` of projections/readModel.ts (checked by coreMirror.unit.spec.ts). */
export type AccountStatus = 'NOT_INVITED' | 'INVITED' | 'INVITE_EXPIRED' | 'ACTIVE' | 'DEACTIVATED';

export const statusNames: Record<AccountStatus, string> = {
  NOT_INVITED: 'Not invited',
  INVITED: 'Invite pending',
  INVITE_EXPIRED: 'Link expired',
  ACTIVE: 'Active',
  DEACTIVATED: 'Deactivated',
};

/**
 * The badge of a user: an erased account is also deactivated, but what a person needs to see is
 * that nothing of it is left. `badge` is the class that colours it (app.css).
 */
export function statusBadge(user: { status: AccountStatus; erased?: boolean }): { name: string; badge: string } {
  if (user.erased) return { name: 'Erased', badge: 'badge badge-ERASED' };
  return { name: statusNames[user.status], badge: `badge badge-${user.status}` };
}

type StatusOf = { status: AccountStatus; setupLinkExpiresAt?: string | null };

/** The time beside a pending or expired invite: "3 h 12 min left", "2 days ago"; otherwise undefined. */
export function statusDetail(user: StatusOf, now: Date): string | undefined {
  if (!user.setupLinkExpiresAt) return undefined;
  const left = new Date(user.setupLinkExpiresAt).getTime() - now.getTime();
  if (user.status === 'INVITED' && left > 0) return `${durationWords(left)} left`;
  if (user.status === 'INVITE_EXPIRED') return `${durationWords(left)} ago`;
  return undefined;
}

/** "Invite pending (3 h 12 min left)", "Link expired (2 days ago)", "Active". */
export function statusWords(user: StatusOf, now: Date): string {
  const detail = statusDetail(user, now);
  return detail ? `${statusNames[user.status]} (${detail})` : statusNames[user.status];
}

/** The kinds of email the service sends; mirrors `EmailKind` in core/accounts/events.ts (checked by a spec). */
export type EmailKind =
  | 'welcome'
  | 'reset'
  | 'login-name'
  | 'password-changed'
  | 'email-changed'
  | 'extension-changed'
  | 'pin-reset'
  | 'welcome-reminder';

export const emailKindWords = {
  welcome: 'Welcome email',
  reset: 'Password reset email',
  'login-name': 'Login name email',
  'password-changed': '"Password changed" email',
  'email-changed': 'Email-change notice',
  'extension-changed': 'New login name email',
  'pin-reset': 'PIN reset email',
  'welcome-reminder': 'Welcome reminder',
} satisfies Record<EmailKind, string>;

/** The API answers kinds as plain strings: one a newer server sends still reads as an email. */
export const emailKindWord = (kind: string): string =>
  Object.hasOwn(emailKindWords, kind) ? emailKindWords[kind as EmailKind] : 'Email';
