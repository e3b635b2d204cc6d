import type { Actor } from '../actor.js';
import { actorId } from '../actor.js';
import { KeyturnError, badInput } from '../errors.js';
import { EXTENSION_MESSAGE, EXTENSION_PATTERN } from '../validation.js';
// account.ts imports this module too: its bindings are only read at call time, never at load.
import {
  assertCanManage,
  assertNotLastManager,
  isSelf,
  recipientsOf,
  validateName,
  type AccountCommand,
  type OpenAccountState,
} from './account.js';
import type { AccountEvent } from './events.js';

type LifecycleCommand = Extract<
  AccountCommand,
  {
    type:
      | 'UpdateUser'
      | 'ChangeExtension'
      | 'DeactivateAccount'
      | 'ReactivateAccount'
      | 'EraseAccount'
      | 'SignOutEverywhere';
  }
>;

const REASON_MAX_LENGTH = 500;

function validReason(reason: string | undefined): string | undefined {
  const trimmed = reason?.trim();
  if (trimmed && [...trimmed].length > REASON_MAX_LENGTH) {
    throw badInput({ reason: [`Write the reason in at most ${REASON_MAX_LENGTH} characters.`] });
  }
  return trimmed || undefined;
}

/** Movers and leavers: an office manager edits, moves, deactivates and erases accounts of their organization. */
export function decideLifecycle(command: LifecycleCommand, s: OpenAccountState): AccountEvent[] {
  const by = actorId(command.actor);
  switch (command.type) {
    case 'UpdateUser': {
      assertCanManage(command.actor, s.organizationId);
      const { role, otherActiveManagers } = command.data;
      const name = command.data.name === undefined ? undefined : validateName(command.data.name);
      const events: AccountEvent[] = [];
      if (name !== undefined && name !== s.name) {
        events.push({ type: 'AccountRenamed', data: { name, previousName: s.name, by } });
      }
      if (role !== undefined && role !== s.role) {
        if (s.role === 'OFFICE_MANAGER') assertNotLastManager(s, otherActiveManagers, 'changing this role');
        events.push({ type: 'RoleChanged', data: { role, previousRole: s.role, by } });
      }
      return events;
    }
    case 'ChangeExtension': {
      assertCanManage(command.actor, s.organizationId);
      const { extension, loginName, noticeId } = command.data;
      if (!EXTENSION_PATTERN.test(extension)) throw badInput({ extension: [EXTENSION_MESSAGE] });
      if (extension === s.extension) return [];
      return [
        {
          type: 'ExtensionChanged',
          data: {
            from: s.extension,
            to: extension,
            loginName,
            previousLoginName: s.loginName,
            by,
            // Someone never invited has not heard of the account yet: the welcome email will tell them.
            ...(s.status === 'active' || s.invite ? { noticeId } : {}),
            recipients: recipientsOf(s),
          },
        },
      ];
    }
    case 'DeactivateAccount': {
      assertCanManage(command.actor, s.organizationId);
      if (isSelf(command.actor, s)) {
        throw new KeyturnError('CONFLICT', 'Your own account: ask another office manager to deactivate it.');
      }
      if (s.deactivated) return [];
      assertNotLastManager(s, command.data.otherActiveManagers, 'deactivating this account');
      const reason = validReason(command.data.reason);
      return [{ type: 'AccountDeactivated', data: { by, ...(reason ? { reason } : {}) } }];
    }
    case 'ReactivateAccount': {
      assertCanManage(command.actor, s.organizationId);
      if (!s.deactivated) return [];
      const reason = validReason(command.data.reason);
      return [{ type: 'AccountReactivated', data: { by, ...(reason ? { reason } : {}) } }];
    }
    case 'EraseAccount': {
      assertCanManage(command.actor, s.organizationId);
      if (!s.deactivated) {
        throw new KeyturnError('CONFLICT', `Deactivate ${s.name} before erasing the account.`);
      }
      // Erasure cannot be undone: the name typed must be the one on the account, as a person reads it.
      if (command.data.confirmName.trim() !== s.name) {
        throw badInput({ confirmName: [`Type the user's name exactly as shown (${s.name}) to confirm.`] });
      }
      return [{ type: 'AccountErased', data: { by } }];
    }
    case 'SignOutEverywhere': {
      assertCanSignOut(command.actor, s);
      return [{ type: 'SignedOutEverywhere', data: { by } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

/** Users end their own sessions; office managers those of their organization's users. */
function assertCanSignOut(actor: Actor, s: OpenAccountState) {
  if (isSelf(actor, s)) return;
  assertCanManage(actor, s.organizationId);
}
