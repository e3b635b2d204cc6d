import type { Actor } from '../actor.js';
import { actorId } from '../actor.js';
import { KeyturnError, badInput } from '../errors.js';
import { EMAIL_MESSAGE, EXTENSION_MESSAGE, EXTENSION_PATTERN, NAME_MAX_LENGTH, isEmail } from '../validation.js';
import type { AccountEvent, RecoveryEmailKind, Role } from './events.js';
import {
  decideEmailOutcome,
  evolveEmailLedger,
  reportRefusal,
  type EmailLedger,
  type EmailOutcome,
  type ProviderReportEvent,
} from './emailOutcomes.js';
import { decideLifecycle } from './lifecycle.js';
import { decideCredentials } from './ownCredentials.js';

export interface OpenAccountState {
  status: 'pending' | 'active';
  id: string;
  organizationId: string;
  name: string;
  extension: string;
  loginName: string;
  email: string;
  secondaryEmail?: string;
  role: Role;
  /** newest welcome link; older ones are superseded, and an email change that drops a recipient kills it */
  invite?: { inviteId: string; expiresAt: string; recipients: string[]; reminded?: boolean };
  completedInviteId?: string;
  passwordHash?: string;
  /** newest reset link, until a password change (or an email change that drops a recipient) kills it */
  reset?: { resetId: string; expiresAt: string; recipients: string[] };
  usedResetIds: string[];
  /**
   * Counts the events after which every open session must end (password changes). Sessions carry
   * the version they were opened at; the read model's copy of it is compared on every request.
   */
  credentialVersion: number;
  /** which emails were asked for, have an outcome, were reported on (absent until the first email) */
  emails?: EmailLedger;
  pinHash?: string;
  /** newest PIN reset link, until a PIN change (or deactivation, or an email change that drops a recipient) */
  pinReset?: { resetId: string; expiresAt: string; recipients: string[] };
  usedPinResetIds: string[];
  /**
   * A deactivated account keeps its `status` (what reactivation returns it to) but cannot sign in,
   * gets no links, and every link it had is dead.
   */
  deactivated: boolean;
}

/** What remains of an erased account: its ids. Its personal data is unreadable from now on. */
export interface ErasedAccountState {
  status: 'erased';
  id: string;
  organizationId: string;
}

export type AccountState = { status: 'absent' } | OpenAccountState | ErasedAccountState;

export const initialAccountState = (): AccountState => ({ status: 'absent' });

export type AccountCommand =
  | {
      type: 'OpenAccount';
      actor: Actor;
      data: {
        accountId: string;
        organizationId: string;
        name: string;
        extension: string;
        loginName: string;
        email: string;
        role: Role;
      };
    }
  | { type: 'SendWelcomeEmail'; actor: Actor; now: Date; data: { inviteId: string; expiresAt: Date; bulkId?: string } }
  | { type: 'CompleteSetup'; now: Date; data: { inviteId: string; passwordHash: string; pinHash: string } }
  | { type: 'RequestReset'; now: Date; data: { resetId: string; expiresAt: Date } }
  | { type: 'ResetPassword'; now: Date; data: { resetId: string; changeId: string; passwordHash: string } }
  | { type: 'RequestLoginName'; data: Extract<AccountEvent, { type: 'LoginNameRequested' }>['data'] }
  | {
      type: 'ChangeDesignatedEmail';
      actor: Actor;
      /** `passwordConfirmed`: the caller's current password was checked (required to change one's own) */
      data: { email: string; noticeId: string; passwordConfirmed?: boolean };
    }
  | { type: 'AddSecondaryEmail'; actor: Actor; data: { email: string; noticeId: string } }
  | { type: 'RemoveSecondaryEmail'; actor: Actor; data: { noticeId: string } }
  | { type: 'WithholdEmail'; data: { withheldId: string; kind: RecoveryEmailKind } }
  | {
      type: 'RecordEmailOutcome';
      data: EmailOutcome;
    }
  | { type: 'RecordProviderReport'; data: { event: ProviderReportEvent } }
  | {
      type: 'UpdateUser';
      actor: Actor;
      /** `otherActiveManagers`: active office managers of the organization besides this account */
      data: { name?: string; role?: Role; otherActiveManagers: number };
    }
  | { type: 'ChangeExtension'; actor: Actor; data: { extension: string; loginName: string; noticeId: string } }
  | { type: 'DeactivateAccount'; actor: Actor; data: { reason?: string; otherActiveManagers: number } }
  | { type: 'ReactivateAccount'; actor: Actor; data: { reason?: string } }
  | { type: 'EraseAccount'; actor: Actor; data: { confirmName: string } }
  | { type: 'SignOutEverywhere'; actor: Actor }
  | {
      type: 'ChangeOwnPassword';
      actor: Actor;
      /** `passwordConfirmed`: the current password was checked; `keptSessionId`: the session asking */
      data: { changeId: string; passwordHash: string; keptSessionId?: string; passwordConfirmed: boolean };
    }
  | { type: 'ChangeOwnPin'; actor: Actor; data: { changeId: string; pinHash: string; passwordConfirmed: boolean } }
  | { type: 'SendPinResetEmail'; actor: Actor; now: Date; data: { resetId: string; expiresAt: Date } }
  | { type: 'ResetPin'; now: Date; data: { resetId: string; changeId: string; pinHash: string } }
  /** the reminder scheduler: `remindBeforeMs` is INVITE_REMINDER_BEFORE */
  | { type: 'SendWelcomeReminder'; now: Date; data: { reminderId: string; remindBeforeMs: number } };

export const recipientsOf = (s: OpenAccountState) => (s.secondaryEmail ? [s.email, s.secondaryEmail] : [s.email]);

const notFound = () => new KeyturnError('NOT_FOUND', 'No such user.');

/** An erased account is gone for every command: it answers as if it had never existed. */
export function requireOpen(state: AccountState): OpenAccountState {
  if (state.status === 'absent' || state.status === 'erased') throw notFound();
  return state;
}

export const isOpen = (state: AccountState): state is OpenAccountState =>
  state.status === 'pending' || state.status === 'active';

/** Signed in and managing: an office manager who completed setup and is not deactivated. */
export const isActiveManager = (s: OpenAccountState) =>
  s.role === 'OFFICE_MANAGER' && s.status === 'active' && !s.deactivated;

export function assertNotLastManager(s: OpenAccountState, otherActiveManagers: number, doing: string) {
  if (isActiveManager(s) && otherActiveManagers < 1) {
    throw new KeyturnError(
      'CONFLICT',
      `The last active office manager of this organization: make someone else an office manager before ${doing}.`,
    );
  }
}

export const isSelf = (actor: Actor, s: { id: string }) => actor.kind === 'account' && actor.accountId === s.id;

/**
 * Office managers manage accounts of their own organization; the system (CLI, seed) manages all.
 * Another organization's account answers NOT_FOUND: its existence is not leaked.
 */
export function assertCanManage(actor: Actor, organizationId: string) {
  if (actor.kind === 'system') return;
  if (actor.kind !== 'account' || actor.organizationId !== organizationId) throw notFound();
  if (actor.role !== 'OFFICE_MANAGER') throw new KeyturnError('FORBIDDEN', 'Only an office manager can do this.');
}

/**
 * Anyone may change their own designated email, but only with their current password: a stolen
 * session alone must not be able to move the account's recovery address.
 */
function assertCanChangeDesignatedEmail(actor: Actor, state: OpenAccountState, passwordConfirmed: boolean) {
  if (actor.kind === 'account' && actor.accountId === state.id) {
    if (!passwordConfirmed) {
      throw badInput({ currentPassword: ['Enter your current password to change your own email.'] });
    }
    return;
  }
  assertCanManage(actor, state.organizationId);
}

export const linkError = {
  used: () => new KeyturnError('LINK_USED', 'This link was already used.'),
  expired: () => new KeyturnError('LINK_EXPIRED', 'This link has expired.'),
  invalid: () => new KeyturnError('LINK_INVALID', 'This link is not valid.'),
};

/** Throws the LINK_* error that applies, or returns the open account the welcome link belongs to. */
export function assertWelcomeLinkUsable(state: AccountState, inviteId: string, now: Date): OpenAccountState {
  if (!isOpen(state) || state.deactivated) throw linkError.invalid();
  if (state.status === 'active') throw state.completedInviteId === inviteId ? linkError.used() : linkError.invalid();
  if (state.invite?.inviteId !== inviteId) throw linkError.invalid();
  if (now.getTime() >= Date.parse(state.invite.expiresAt)) throw linkError.expired();
  return state;
}

export function assertResetLinkUsable(state: AccountState, resetId: string, now: Date): OpenAccountState {
  if (state.status !== 'active' || state.deactivated) throw linkError.invalid();
  if (state.usedResetIds.includes(resetId)) throw linkError.used();
  if (state.reset?.resetId !== resetId) throw linkError.invalid();
  if (now.getTime() >= Date.parse(state.reset.expiresAt)) throw linkError.expired();
  return state;
}

export function assertPinResetLinkUsable(state: AccountState, resetId: string, now: Date): OpenAccountState {
  if (state.status !== 'active' || state.deactivated) throw linkError.invalid();
  if (state.usedPinResetIds.includes(resetId)) throw linkError.used();
  if (state.pinReset?.resetId !== resetId) throw linkError.invalid();
  if (now.getTime() >= Date.parse(state.pinReset.expiresAt)) throw linkError.expired();
  return state;
}

export function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || [...trimmed].length > NAME_MAX_LENGTH) {
    throw badInput({ name: [`Enter a name of 1 to ${NAME_MAX_LENGTH} characters.`] });
  }
  return trimmed;
}

function validateEmail(field: string, email: string) {
  if (!isEmail(email)) throw badInput({ [field]: [EMAIL_MESSAGE] });
}

export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  switch (command.type) {
    case 'OpenAccount': {
      const { data, actor } = command;
      assertCanManage(actor, data.organizationId);
      if (state.status !== 'absent') throw new KeyturnError('CONFLICT', 'This account exists already.');
      const fields: Record<string, string[]> = {};
      const name = data.name.trim();
      if (name.length === 0 || [...name].length > NAME_MAX_LENGTH) {
        fields.name = [`Enter a name of 1 to ${NAME_MAX_LENGTH} characters.`];
      }
      if (!EXTENSION_PATTERN.test(data.extension)) fields.extension = [EXTENSION_MESSAGE];
      if (!isEmail(data.email)) fields.email = [EMAIL_MESSAGE];
      if (Object.keys(fields).length > 0) throw badInput(fields);
      return [{ type: 'AccountOpened', data: { ...data, name, openedBy: actorId(actor) } }];
    }
    case 'SendWelcomeEmail': {
      const s = requireOpen(state);
      assertCanManage(command.actor, s.organizationId);
      // Worded to read on their own: bulk actions list them beside each user's name.
      if (s.deactivated) throw new KeyturnError('CONFLICT', 'Deactivated: reactivate the account first.');
      if (s.status === 'active') throw new KeyturnError('CONFLICT', 'Already completed setup.');
      const { inviteId, expiresAt, bulkId } = command.data;
      return [
        {
          type: 'WelcomeEmailSent',
          data: {
            inviteId,
            expiresAt: expiresAt.toISOString(),
            recipients: recipientsOf(s),
            sentBy: actorId(command.actor),
            ...(bulkId ? { bulkId } : {}),
          },
        },
      ];
    }
    case 'CompleteSetup': {
      assertWelcomeLinkUsable(state, command.data.inviteId, command.now);
      return [{ type: 'SetupCompleted', data: command.data }];
    }
    case 'RequestReset': {
      // Only accounts that completed setup get a reset link; the caller answers the same either way.
      if (state.status !== 'active' || state.deactivated) return [];
      const { resetId, expiresAt } = command.data;
      return [
        {
          type: 'ResetRequested',
          data: { resetId, expiresAt: expiresAt.toISOString(), recipients: recipientsOf(state) },
        },
      ];
    }
    case 'ResetPassword': {
      const s = assertResetLinkUsable(state, command.data.resetId, command.now);
      return [{ type: 'PasswordChanged', data: { via: 'reset', ...command.data, recipients: recipientsOf(s) } }];
    }
    case 'RequestLoginName': {
      // A deactivated account is left out of the email; the caller's answer is the same either way.
      if (requireOpen(state).deactivated) return [];
      return [{ type: 'LoginNameRequested', data: command.data }];
    }
    case 'ChangeDesignatedEmail': {
      const s = requireOpen(state);
      const { email, noticeId, passwordConfirmed } = command.data;
      assertCanChangeDesignatedEmail(command.actor, s, passwordConfirmed === true);
      validateEmail('email', email);
      if (email === s.email) return [];
      if (email === s.secondaryEmail) {
        throw badInput({ email: ['This address is already the second email. Remove it there first.'] });
      }
      return [
        {
          type: 'DesignatedEmailChanged',
          data: { email, previousEmail: s.email, by: actorId(command.actor), noticeId },
        },
      ];
    }
    case 'AddSecondaryEmail': {
      const s = requireOpen(state);
      assertCanManage(command.actor, s.organizationId);
      validateEmail('email', command.data.email);
      if (command.data.email === s.email) {
        throw badInput({ email: ['The second email must differ from the designated email.'] });
      }
      if (command.data.email === s.secondaryEmail) return [];
      return [
        {
          type: 'SecondaryEmailAdded',
          data: {
            email: command.data.email,
            ...(s.secondaryEmail ? { previousEmail: s.secondaryEmail, noticeId: command.data.noticeId } : {}),
            by: actorId(command.actor),
          },
        },
      ];
    }
    case 'RemoveSecondaryEmail': {
      const s = requireOpen(state);
      assertCanManage(command.actor, s.organizationId);
      if (!s.secondaryEmail) return [];
      const { noticeId } = command.data;
      return [
        { type: 'SecondaryEmailRemoved', data: { email: s.secondaryEmail, by: actorId(command.actor), noticeId } },
      ];
    }
    case 'WithholdEmail': {
      requireOpen(state);
      return [{ type: 'EmailWithheld', data: { ...command.data, reason: 'too-many-requests' } }];
    }
    case 'RecordEmailOutcome':
      // Nothing more is recorded about an erased person, not even how an email to them went.
      if (state.status === 'erased') return [];
      return decideEmailOutcome(command.data, requireOpen(state).emails);
    case 'RecordProviderReport':
      // Reports come from outside: one that names no email of this account, or repeats, records nothing.
      if (state.status === 'erased') return [];
      return reportRefusal(state, command.data.event) ? [] : [command.data.event];
    case 'SendWelcomeReminder':
      return decideReminder(command, state);
    case 'UpdateUser':
    case 'ChangeExtension':
    case 'DeactivateAccount':
    case 'ReactivateAccount':
    case 'EraseAccount':
    case 'SignOutEverywhere':
      return decideLifecycle(command, requireOpen(state));
    case 'ChangeOwnPassword':
    case 'ChangeOwnPin':
    case 'SendPinResetEmail':
    case 'ResetPin':
      return decideCredentials(command, state);
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

/** The fields below, then the email ledger, which follows every email request and outcome. */
/**
 * Exactly one reminder per welcome link, and only while it is worth one: the newest link, unused,
 * due but not yet expired, the account pending and not deactivated. Anything else records nothing,
 * so the scheduler may ask as often as it likes (after a restart, from a second process).
 */
function decideReminder(
  command: Extract<AccountCommand, { type: 'SendWelcomeReminder' }>,
  state: AccountState,
): AccountEvent[] {
  if (state.status !== 'pending' || state.deactivated || !state.invite || state.invite.reminded) return [];
  const expiresAt = Date.parse(state.invite.expiresAt);
  const now = command.now.getTime();
  if (now >= expiresAt || now < expiresAt - command.data.remindBeforeMs) return [];
  const { inviteId } = state.invite;
  const data = {
    reminderId: command.data.reminderId,
    inviteId,
    expiresAt: state.invite.expiresAt,
    recipients: recipientsOf(state),
  };
  return [{ type: 'WelcomeReminderSent', data }];
}

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  const next = evolveAccountFields(state, event);
  if (!isOpen(next)) return next;
  const emails = evolveEmailLedger(next.emails, event);
  return emails === next.emails ? next : { ...next, emails };
}

function evolveAccountFields(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountOpened') {
    const { accountId, openedBy: _openedBy, ...rest } = event.data;
    return {
      status: 'pending',
      id: accountId,
      ...rest,
      usedResetIds: [],
      usedPinResetIds: [],
      credentialVersion: 0,
      deactivated: false,
    };
  }
  if (!isOpen(state)) return state;
  switch (event.type) {
    case 'WelcomeEmailSent':
      return {
        ...state,
        invite: { inviteId: event.data.inviteId, expiresAt: event.data.expiresAt, recipients: event.data.recipients },
      };
    case 'SetupCompleted':
      return {
        ...state,
        status: 'active',
        completedInviteId: event.data.inviteId,
        invite: undefined,
        passwordHash: event.data.passwordHash,
        pinHash: event.data.pinHash,
      };
    case 'ResetRequested':
      return {
        ...state,
        reset: { resetId: event.data.resetId, expiresAt: event.data.expiresAt, recipients: event.data.recipients },
      };
    case 'PasswordChanged':
      // A password change kills every outstanding reset link.
      return {
        ...state,
        passwordHash: event.data.passwordHash,
        reset: undefined,
        usedResetIds: event.data.resetId ? [...state.usedResetIds, event.data.resetId] : state.usedResetIds,
        credentialVersion: state.credentialVersion + 1,
      };
    case 'DesignatedEmailChanged':
      return closeLinksToRemovedAddresses({ ...state, email: event.data.email });
    case 'SecondaryEmailAdded':
      return closeLinksToRemovedAddresses({ ...state, secondaryEmail: event.data.email });
    case 'SecondaryEmailRemoved':
      return closeLinksToRemovedAddresses({ ...state, secondaryEmail: undefined });
    case 'AccountRenamed':
      return { ...state, name: event.data.name };
    case 'RoleChanged':
      return { ...state, role: event.data.role };
    case 'ExtensionChanged':
      return { ...state, extension: event.data.to, loginName: event.data.loginName };
    case 'AccountDeactivated':
      // Every link dies and every session ends; reactivation brings back neither.
      return {
        ...state,
        deactivated: true,
        invite: undefined,
        reset: undefined,
        pinReset: undefined,
        credentialVersion: state.credentialVersion + 1,
      };
    case 'AccountReactivated':
      return { ...state, deactivated: false };
    case 'AccountErased':
      return { status: 'erased', id: state.id, organizationId: state.organizationId };
    case 'SignedOutEverywhere':
      return { ...state, credentialVersion: state.credentialVersion + 1 };
    case 'WelcomeReminderSent':
      return state.invite?.inviteId === event.data.inviteId
        ? { ...state, invite: { ...state.invite, reminded: true } }
        : state;
    case 'PinResetRequested':
      return {
        ...state,
        pinReset: { resetId: event.data.resetId, expiresAt: event.data.expiresAt, recipients: event.data.recipients },
      };
    case 'VoicemailPinChanged':
      // A PIN change kills the outstanding PIN reset link.
      return {
        ...state,
        pinHash: event.data.pinHash,
        pinReset: undefined,
        usedPinResetIds: event.data.resetId ? [...state.usedPinResetIds, event.data.resetId] : state.usedPinResetIds,
      };
    case 'LoginNameRequested':
    case 'EmailWithheld':
    case 'EmailDelivered':
    case 'EmailDeliveryFailed':
    // Provider reports change nothing the write side decides on.
    case 'EmailBounced':
    case 'EmailComplained':
      return state;
    default: {
      // Compile time: every known type is handled. Run time: a type written by a newer version (a
      // rolling deploy) changes nothing this version decides on, rather than making the account unusable.
      const _unknown: never = event;
      return state;
    }
  }
}

/**
 * A link that went to an address the account no longer has must stop working: whoever holds that
 * mailbox (a former employee, a typo's owner, an attacker who changed it back) is not the user.
 */
function closeLinksToRemovedAddresses(state: OpenAccountState): OpenAccountState {
  const current = new Set(recipientsOf(state));
  const stale = (recipients: string[]) => recipients.some((r) => !current.has(r));
  return {
    ...state,
    invite: state.invite && stale(state.invite.recipients) ? undefined : state.invite,
    reset: state.reset && stale(state.reset.recipients) ? undefined : state.reset,
    pinReset: state.pinReset && stale(state.pinReset.recipients) ? undefined : state.pinReset,
  };
}
