import { handleCommand } from '../commandHandler.js';
import { metadataFor, type CoreDeps, type RequestContext } from '../context.js';
import { KeyturnError } from '../errors.js';
import type { AccountCommand } from './account.js';
import { accountDecider, loadAccount } from './accountDecider.js';
import { accountStream } from './events.js';

type EmailCommand = Extract<AccountCommand, { type: 'ChangeDesignatedEmail' | 'AddSecondaryEmail' | 'RemoveSecondaryEmail' }>;

/** Designated / second email changes: the decider holds every rule, this only loads and appends. */
export async function changeEmailAddress(deps: CoreDeps, ctx: RequestContext, accountId: string, command: EmailCommand) {
  const { state } = await loadAccount(deps.store, accountId);
  if (state.status === 'absent') throw new KeyturnError('NOT_FOUND', 'No such user.');
  const metadata = metadataFor(deps, ctx, state.organizationId);
  return handleCommand(deps.store, accountStream(accountId), accountDecider, command, metadata);
}
