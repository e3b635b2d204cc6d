/**
 * Events of the account stream `account-<id>`. Stored names and fields are forever: add, never rename.
 * Fields marked "secret" never leave the write side (see `redactSecrets`).
 */
export type Role = 'OFFICE_MANAGER' | 'USER' | 'AUDITOR';
export const roles: readonly Role[] = ['OFFICE_MANAGER', 'USER', 'AUDITOR'];

export type EmailKind =
  | 'welcome'
  | 'reset'
  | 'login-name'
  | 'password-changed'
  | 'email-changed'
  | 'extension-changed'
  | 'pin-reset'
  | 'welcome-reminder';

/** Emails a caller can ask for anonymously; each kind has its own per-address cap. */
export type RecoveryEmailKind = Extract<EmailKind, 'reset' | 'login-name'>;

export type AccountEvent =
  | {
      type: 'AccountOpened';
      data: {
        accountId: string;
        organizationId: string;
        name: string;
        extension: string;
        loginName: string;
        email: string;
        role: Role;
        openedBy: string;
      };
    }
  | {
      type: 'WelcomeEmailSent';
      data: { inviteId: string; expiresAt: string; recipients: string[]; sentBy: string; bulkId?: string };
    }
  | { type: 'SetupCompleted'; data: { inviteId: string; passwordHash: string; pinHash: string } }
  | { type: 'ResetRequested'; data: { resetId: string; expiresAt: string; recipients: string[] } }
  | {
      type: 'PasswordChanged';
      /**
       * `via: 'self'`: the signed-in user changed it; `keptSessionId` is the session they did it from,
       * the only one that goes on (absent on resets: every session ends).
       */
      data: {
        changeId: string;
        via: 'reset' | 'self';
        resetId?: string;
        keptSessionId?: string;
        passwordHash: string;
        recipients: string[];
      };
    }
  | {
      type: 'LoginNameRequested';
      /**
       * One request may name several accounts; exactly one of their events has `deliver: true`.
       * `pendingLoginNames`: those of `loginNames` whose account had not completed setup (no password
       * yet), so the email tells them to complete setup instead of to sign in. Absent on events
       * recorded before it existed: those render as if every account could sign in.
       */
      data: { requestId: string; to: string; loginNames: string[]; deliver: boolean; pendingLoginNames?: string[] };
    }
  | {
      /** no email went out: the address had its share of this kind within the hour (recorded once per window) */
      type: 'EmailWithheld';
      data: { withheldId: string; kind: RecoveryEmailKind; reason: 'too-many-requests' };
    }
  /**
   * Email changes. `noticeId` (absent on events recorded before notices existed) names the notice
   * emailed to the address that was replaced or removed.
   */
  | { type: 'DesignatedEmailChanged'; data: { email: string; previousEmail: string; by: string; noticeId?: string } }
  | { type: 'SecondaryEmailAdded'; data: { email: string; previousEmail?: string; by: string; noticeId?: string } }
  | { type: 'SecondaryEmailRemoved'; data: { email: string; by: string; noticeId?: string } }
  /** Movers and leavers. `by`: the account id of whoever did it, or `system`. */
  | { type: 'AccountRenamed'; data: { name: string; previousName: string; by: string } }
  | { type: 'RoleChanged'; data: { role: Role; previousRole: Role; by: string } }
  | {
      type: 'ExtensionChanged';
      /**
       * `noticeId`: the email to `recipients` that tells the user their new login name; absent when
       * the user was never invited (they learn their login name from the welcome email)
       */
      data: {
        from: string;
        to: string;
        loginName: string;
        previousLoginName: string;
        by: string;
        noticeId?: string;
        recipients: string[];
      };
    }
  | { type: 'AccountDeactivated'; data: { by: string; reason?: string } }
  | { type: 'AccountReactivated'; data: { by: string; reason?: string } }
  /** the account's data key is deleted with it: the personal fields of its events become unreadable */
  | { type: 'AccountErased'; data: { by: string } }
  /** every session of the account ends (self, or an office manager) */
  | { type: 'SignedOutEverywhere'; data: { by: string } }
  | {
      type: 'VoicemailPinChanged';
      data: { changeId: string; via: 'self' | 'reset'; resetId?: string; pinHash: string };
    }
  | { type: 'PinResetRequested'; data: { resetId: string; expiresAt: string; recipients: string[]; by: string } }
  /** one per welcome link, shortly before it expires, carrying the same link */
  | {
      type: 'WelcomeReminderSent';
      data: { reminderId: string; inviteId: string; expiresAt: string; recipients: string[] };
    }
  | {
      type: 'EmailDelivered';
      /**
       * Recorded twice per email when webhooks are on: by the reactor when the provider accepted it, and
       * from the provider's Delivery webhook (with `deliveredAt`) when the recipient's server took it.
       */
      data: { kind: EmailKind; refId: string; to: string[]; providerMessageId?: string; deliveredAt?: string };
    }
  | {
      type: 'EmailDeliveryFailed';
      data: { kind: EmailKind; refId: string; to: string[]; errorCode: string; reason: string };
    }
  | {
      /** the provider's Bounce webhook; `permanent` bounces (no such mailbox…) mean the email never arrived */
      type: 'EmailBounced';
      data: {
        kind: EmailKind;
        refId: string;
        /** the address that bounced */
        to: string[];
        /** the provider's bounce type and code, e.g. `HardBounce` / 1 */
        type: string;
        typeCode: number;
        permanent: boolean;
        /** readable, e.g. "mailbox does not exist" */
        reason: string;
        details?: string;
        providerMessageId: string;
        bouncedAt: string;
      };
    }
  | {
      /** the recipient marked the email as spam; the provider sends nothing more to that address */
      type: 'EmailComplained';
      data: { kind: EmailKind; refId: string; to: string[]; providerMessageId: string; complainedAt: string };
    };

export type AccountEventType = AccountEvent['type'];

/** Compiler-checked: a new event type fails to build until it is listed here. */
const eventTypeSet = {
  AccountOpened: true,
  WelcomeEmailSent: true,
  SetupCompleted: true,
  ResetRequested: true,
  PasswordChanged: true,
  LoginNameRequested: true,
  EmailWithheld: true,
  DesignatedEmailChanged: true,
  SecondaryEmailAdded: true,
  SecondaryEmailRemoved: true,
  EmailDelivered: true,
  EmailDeliveryFailed: true,
  EmailBounced: true,
  EmailComplained: true,
  AccountRenamed: true,
  RoleChanged: true,
  ExtensionChanged: true,
  AccountDeactivated: true,
  AccountReactivated: true,
  AccountErased: true,
  SignedOutEverywhere: true,
  VoicemailPinChanged: true,
  PinResetRequested: true,
  WelcomeReminderSent: true,
} satisfies Record<AccountEventType, true>;

export const accountEventTypes = Object.keys(eventTypeSet) as AccountEventType[];

export const accountStream = (accountId: string) => `account-${accountId}`;
export const accountIdOfStream = (streamName: string) =>
  streamName.startsWith('account-') ? streamName.slice('account-'.length) : undefined;

/**
 * The fields of each event that are about the person (names, email addresses, free text): stored
 * encrypted with the account's data key, unreadable once the account is erased. Everything else —
 * type, time, actor, ids, extensions, roles — stays in clear so the history keeps its shape.
 */
export const personalFields = {
  AccountOpened: ['name', 'email'],
  WelcomeEmailSent: ['recipients'],
  SetupCompleted: [],
  ResetRequested: ['recipients'],
  PasswordChanged: ['recipients'],
  LoginNameRequested: ['to'],
  EmailWithheld: [],
  DesignatedEmailChanged: ['email', 'previousEmail'],
  SecondaryEmailAdded: ['email', 'previousEmail'],
  SecondaryEmailRemoved: ['email'],
  EmailDelivered: ['to'],
  EmailDeliveryFailed: ['to', 'reason'],
  EmailBounced: ['to', 'reason', 'details'],
  EmailComplained: ['to'],
  AccountRenamed: ['name', 'previousName'],
  RoleChanged: [],
  ExtensionChanged: ['recipients'],
  AccountDeactivated: ['reason'],
  AccountReactivated: ['reason'],
  AccountErased: [],
  SignedOutEverywhere: [],
  VoicemailPinChanged: [],
  PinResetRequested: ['recipients'],
  WelcomeReminderSent: ['recipients'],
} as const satisfies Record<AccountEventType, readonly string[]>;

/** What a personal field reads as once the account's data key is gone (arrays: one such entry). */
export const ERASED = 'erased';

const secretFields = new Set(['passwordHash', 'pinHash']);

/** The event data as anyone may see it: hashes of passwords and PINs are dropped. */
export function redactSecrets(data: unknown): Record<string, unknown> {
  if (data === null || typeof data !== 'object') return {};
  return Object.fromEntries(Object.entries(data).filter(([key]) => !secretFields.has(key)));
}
