import type { Actor } from '../actor.js';
import { actorId } from '../actor.js';
import { KeyturnError, badInput } from '../errors.js';
import {
  EMAIL_MESSAGE,
  EXTENSION_MESSAGE,
  EXTENSION_PATTERN,
  NAME_MAX_LENGTH,
  isEmail,
} from '../validation.js';
import type { AccountEvent, RecoveryEmailKind, Role } from './events.js';
import {
  decideEmailOutcome,
  evolveEmailLedger,
  reportRefusal,
  type EmailLedger,
  type EmailOutcome,
  type ProviderReportEvent,
} from './emailOutcomes.js';

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
  invite?: { inviteId: string; expiresAt: string; recipients: string[] };
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
}

export type AccountState = { status: 'absent' } | OpenAccountState;

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
  | { type: 'RecordProviderReport'; data: { event: ProviderReportEvent } };

export const recipientsOf = (s: OpenAccountState) => (s.secondaryEmail ? [s.email, s.secondaryEmail] : [s.email]);

const notFound = () => new KeyturnError('NOT_FOUND', 'No such user.');

function requireOpen(state: AccountState): OpenAccountState {
  if (state.status === 'absent') throw notFound();
  return state;
}

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
  if (state.status === 'absent') throw linkError.invalid();
  if (state.status === 'active') throw state.completedInviteId === inviteId ? linkError.used() : linkError.invalid();
  if (state.invite?.inviteId !== inviteId) throw linkError.invalid();
  if (now.getTime() >= Date.parse(state.invite.expiresAt)) throw linkError.expired();
  return state;
}

export function assertResetLinkUsable(state: AccountState, resetId: string, now: Date): OpenAccountState {
  if (state.status !== 'active') throw linkError.invalid();
  if (state.usedResetIds.includes(resetId)) throw linkError.used();
  if (state.reset?.resetId !== resetId) throw linkError.invalid();
  if (now.getTime() >= Date.parse(state.reset.expiresAt)) throw linkError.expired();
  return state;
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
      if (s.status === 'active') {
        throw new KeyturnError('CONFLICT', `${s.name} has already completed setup.`);
      }
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
      if (state.status !== 'active') return [];
      const { resetId, expiresAt } = command.data;
      return [
        { type: 'ResetRequested', data: { resetId, expiresAt: expiresAt.toISOString(), recipients: recipientsOf(state) } },
      ];
    }
    case 'ResetPassword': {
      const s = assertResetLinkUsable(state, command.data.resetId, command.now);
      return [{ type: 'PasswordChanged', data: { via: 'reset', ...command.data, recipients: recipientsOf(s) } }];
    }
    case 'RequestLoginName': {
      requireOpen(state);
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
        { type: 'DesignatedEmailChanged', data: { email, previousEmail: s.email, by: actorId(command.actor), noticeId } },
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
      return [{ type: 'SecondaryEmailRemoved', data: { email: s.secondaryEmail, by: actorId(command.actor), noticeId } }];
    }
    case 'WithholdEmail': {
      requireOpen(state);
      return [{ type: 'EmailWithheld', data: { ...command.data, reason: 'too-many-requests' } }];
    }
    case 'RecordEmailOutcome':
      return decideEmailOutcome(command.data, requireOpen(state).emails);
    case 'RecordProviderReport':
      // Reports come from outside: one that names no email of this account, or repeats, records nothing.
      return reportRefusal(state, command.data.event) ? [] : [command.data.event];
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

/** The fields below, then the email ledger, which follows every email request and outcome. */
export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  const next = evolveAccountFields(state, event);
  if (next.status === 'absent') return next;
  const emails = evolveEmailLedger(next.emails, event);
  return emails === next.emails ? next : { ...next, emails };
}

function evolveAccountFields(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountOpened') {
    const { accountId, openedBy: _openedBy, ...rest } = event.data;
    return { status: 'pending', id: accountId, ...rest, usedResetIds: [], credentialVersion: 0 };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'WelcomeEmailSent':
      return { ...state, invite: { inviteId: event.data.inviteId, expiresAt: event.data.expiresAt, recipients: event.data.recipients } };
    case 'SetupCompleted':
      return {
        ...state,
        status: 'active',
        completedInviteId: event.data.inviteId,
        invite: undefined,
        passwordHash: event.data.passwordHash,
      };
    case 'ResetRequested':
      return { ...state, reset: { resetId: event.data.resetId, expiresAt: event.data.expiresAt, recipients: event.data.recipients } };
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
  };
}
