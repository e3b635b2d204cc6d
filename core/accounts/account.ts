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
import type { AccountEvent, EmailKind, Role } from './events.js';

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
  /** newest welcome link; older ones are superseded */
  invite?: { inviteId: string; expiresAt: string };
  completedInviteId?: string;
  passwordHash?: string;
  /** newest reset link, until a password change kills it */
  reset?: { resetId: string; expiresAt: string };
  usedResetIds: string[];
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
  | { type: 'RequestLoginName'; data: { requestId: string; to: string; loginNames: string[]; deliver: boolean } }
  | { type: 'ChangeDesignatedEmail'; actor: Actor; data: { email: string } }
  | { type: 'AddSecondaryEmail'; actor: Actor; data: { email: string } }
  | { type: 'RemoveSecondaryEmail'; actor: Actor }
  | {
      type: 'RecordEmailOutcome';
      data:
        | { delivered: true; kind: EmailKind; refId: string; to: string[]; providerMessageId?: string }
        | { delivered: false; kind: EmailKind; refId: string; to: string[]; errorCode: string; reason: string };
    };

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

function assertCanChangeDesignatedEmail(actor: Actor, state: OpenAccountState) {
  if (actor.kind === 'account' && actor.accountId === state.id) return;
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
      assertCanChangeDesignatedEmail(command.actor, s);
      validateEmail('email', command.data.email);
      if (command.data.email === s.email) return [];
      if (command.data.email === s.secondaryEmail) {
        throw badInput({ email: ['This address is already the second email. Remove it there first.'] });
      }
      return [
        {
          type: 'DesignatedEmailChanged',
          data: { email: command.data.email, previousEmail: s.email, by: actorId(command.actor) },
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
            ...(s.secondaryEmail ? { previousEmail: s.secondaryEmail } : {}),
            by: actorId(command.actor),
          },
        },
      ];
    }
    case 'RemoveSecondaryEmail': {
      const s = requireOpen(state);
      assertCanManage(command.actor, s.organizationId);
      if (!s.secondaryEmail) return [];
      return [{ type: 'SecondaryEmailRemoved', data: { email: s.secondaryEmail, by: actorId(command.actor) } }];
    }
    case 'RecordEmailOutcome': {
      requireOpen(state);
      const { delivered, ...rest } = command.data;
      return delivered
        ? [{ type: 'EmailDelivered', data: rest }]
        : [{ type: 'EmailDeliveryFailed', data: rest as Extract<AccountEvent, { type: 'EmailDeliveryFailed' }>['data'] }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountOpened') {
    const { accountId, openedBy: _openedBy, ...rest } = event.data;
    return { status: 'pending', id: accountId, ...rest, usedResetIds: [] };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'WelcomeEmailSent':
      return { ...state, invite: { inviteId: event.data.inviteId, expiresAt: event.data.expiresAt } };
    case 'SetupCompleted':
      return {
        ...state,
        status: 'active',
        completedInviteId: event.data.inviteId,
        invite: undefined,
        passwordHash: event.data.passwordHash,
      };
    case 'ResetRequested':
      return { ...state, reset: { resetId: event.data.resetId, expiresAt: event.data.expiresAt } };
    case 'PasswordChanged':
      // A password change kills every outstanding reset link.
      return {
        ...state,
        passwordHash: event.data.passwordHash,
        reset: undefined,
        usedResetIds: event.data.resetId ? [...state.usedResetIds, event.data.resetId] : state.usedResetIds,
      };
    case 'DesignatedEmailChanged':
      return { ...state, email: event.data.email };
    case 'SecondaryEmailAdded':
      return { ...state, secondaryEmail: event.data.email };
    case 'SecondaryEmailRemoved':
      return { ...state, secondaryEmail: undefined };
    case 'LoginNameRequested':
    case 'EmailDelivered':
    case 'EmailDeliveryFailed':
    // Provider reports change nothing the write side decides on.
    case 'EmailBounced':
    case 'EmailComplained':
      return state;
    default: {
      const exhaustive: never = event;
      throw new Error(`Unknown event ${JSON.stringify(exhaustive)}`);
    }
  }
}
