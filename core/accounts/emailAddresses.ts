import { handleCommand } from '../commandHandler.js';
import { metadataFor, newId, type CoreDeps, type RequestContext } from '../context.js';
import { KeyturnError } from '../errors.js';
import { decideAccount, isOpen, type AccountCommand } from './account.js';
import { accountDecider, loadAccount } from './accountDecider.js';
import { accountStream } from './events.js';
import { verifyOwnPassword, type PasswordCheckGuard } from './signIn.js';

export type EmailChange =
  | { type: 'ChangeDesignatedEmail'; email: string; currentPassword?: string }
  | { type: 'AddSecondaryEmail'; email: string }
  | { type: 'RemoveSecondaryEmail' };

function commandOf(
  change: EmailChange,
  ctx: RequestContext,
  noticeId: string,
  passwordConfirmed: boolean,
): AccountCommand {
  const { actor } = ctx;
  switch (change.type) {
    case 'ChangeDesignatedEmail':
      return { type: change.type, actor, data: { email: change.email, noticeId, passwordConfirmed } };
    case 'AddSecondaryEmail':
      return { type: change.type, actor, data: { email: change.email, noticeId } };
    case 'RemoveSecondaryEmail':
      return { type: change.type, actor, data: { noticeId } };
  }
}

/**
 * Designated / second email changes; the decider holds every rule. Changing one's own designated
 * email needs the current password, checked here (it is I/O) through the sign-in `guard`, so wrong
 * guesses count as failed sign-ins. The change is tried first as if confirmed: a typing mistake in
 * the address is reported without spending a password check.
 */
export async function changeEmailAddress(
  deps: CoreDeps,
  ctx: RequestContext,
  accountId: string,
  change: EmailChange,
  guard?: PasswordCheckGuard,
) {
  const { state } = await loadAccount(deps.store, accountId);
  if (!isOpen(state)) throw new KeyturnError('NOT_FOUND', 'No such user.');
  const noticeId = newId(deps);
  const isOwn = ctx.actor.kind === 'account' && ctx.actor.accountId === accountId;
  let passwordConfirmed = false;
  if (isOwn && change.type === 'ChangeDesignatedEmail' && change.currentPassword !== undefined) {
    // Nothing to change (the address is already the designated one): no password check is spent.
    if (decideAccount(commandOf(change, ctx, noticeId, true), state).length === 0) return { events: [], state };
    await verifyOwnPassword(deps, state, change.currentPassword, guard);
    passwordConfirmed = true;
  }
  const metadata = metadataFor(deps, ctx, state.organizationId);
  const command = commandOf(change, ctx, noticeId, passwordConfirmed);
  return handleCommand(deps.store, accountStream(accountId), accountDecider, command, metadata);
}
