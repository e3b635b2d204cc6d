import { actorId } from '../actor.js';
import { KeyturnError } from '../errors.js';
// account.ts imports this module too: its bindings are only read at call time, never at load.
import {
  assertCanManage,
  assertPinResetLinkUsable,
  isSelf,
  recipientsOf,
  requireOpen,
  type AccountCommand,
  type AccountState,
} from './account.js';
import type { AccountEvent } from './events.js';

type CredentialCommand = Extract<
  AccountCommand,
  { type: 'ChangeOwnPassword' | 'ChangeOwnPin' | 'SendPinResetEmail' | 'ResetPin' }
>;

const invalidCredentials = () => new KeyturnError('INVALID_CREDENTIALS', 'The current password is not right.');

/**
 * Password and PIN changes. A signed-in user changes their own with their current password (checked
 * before this, off the pure path: hashing is slow); an office manager can only send a PIN reset link.
 */
export function decideCredentials(command: CredentialCommand, state: AccountState): AccountEvent[] {
  switch (command.type) {
    case 'ChangeOwnPassword': {
      const s = requireOpen(state);
      // Someone else's account answers as if it did not exist; nobody changes a password for another.
      if (!isSelf(command.actor, s)) throw new KeyturnError('NOT_FOUND', 'No such user.');
      if (!command.data.passwordConfirmed || s.status !== 'active' || s.deactivated) throw invalidCredentials();
      const { changeId, passwordHash, keptSessionId } = command.data;
      return [
        {
          type: 'PasswordChanged',
          data: {
            changeId,
            via: 'self',
            passwordHash,
            ...(keptSessionId ? { keptSessionId } : {}),
            recipients: recipientsOf(s),
          },
        },
      ];
    }
    case 'ChangeOwnPin': {
      const s = requireOpen(state);
      if (!isSelf(command.actor, s)) throw new KeyturnError('NOT_FOUND', 'No such user.');
      if (!command.data.passwordConfirmed || s.status !== 'active' || s.deactivated) throw invalidCredentials();
      const { changeId, pinHash } = command.data;
      return [{ type: 'VoicemailPinChanged', data: { changeId, via: 'self', pinHash } }];
    }
    case 'SendPinResetEmail': {
      const s = requireOpen(state);
      assertCanManage(command.actor, s.organizationId);
      if (s.deactivated) throw new KeyturnError('CONFLICT', `${s.name} is deactivated: reactivate the account first.`);
      if (s.status !== 'active') {
        throw new KeyturnError('CONFLICT', `${s.name} has not completed setup yet: send a welcome email instead.`);
      }
      const { resetId, expiresAt } = command.data;
      return [
        {
          type: 'PinResetRequested',
          data: {
            resetId,
            expiresAt: expiresAt.toISOString(),
            recipients: recipientsOf(s),
            by: actorId(command.actor),
          },
        },
      ];
    }
    case 'ResetPin': {
      assertPinResetLinkUsable(state, command.data.resetId, command.now);
      const { resetId, changeId, pinHash } = command.data;
      return [{ type: 'VoicemailPinChanged', data: { changeId, via: 'reset', resetId, pinHash } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}
