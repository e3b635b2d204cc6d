import { foldState, handleCommand, toNewEvents } from '../commandHandler.js';
import { metadataFor, newId, type CoreDeps, type RequestContext } from '../context.js';
import { KeyturnError } from '../errors.js';
import type { Position, StreamAppend } from '../eventStore/eventStore.js';
import { loadOrganization } from '../organizations/registerOrganization.js';
import { extensionReservationStream, release, reserve } from '../reservations.js';
import {
  assertCanManage,
  decideAccount,
  isActiveManager,
  isOpen,
  requireOpen,
  type AccountCommand,
  type AccountState,
  type OpenAccountState,
} from './account.js';
import { accountDecider, loadAccount } from './accountDecider.js';
import { accountStream, type Role } from './events.js';
import { holdsExtension, skipReason } from './onboarding.js';

export interface LifecycleDeps extends CoreDeps {
  /** candidates from the read model; each is checked on its own stream before it counts */
  officeManagersOf(organizationId: string): Promise<string[]>;
}

/** The account as it is now; erased or never opened answers NOT_FOUND, as the decider does. */
const openAccount = async (deps: CoreDeps, accountId: string): Promise<OpenAccountState> =>
  requireOpen((await loadAccount(deps.store, accountId)).state);

/**
 * The organization's active office managers, each confirmed on its own stream (the read model only
 * names candidates). Two managers demoting each other at the same instant can still both pass: the
 * event store has no cross-stream transaction; the operator's CLI can always appoint a manager.
 */
async function activeManagers(deps: LifecycleDeps, organizationId: string): Promise<Set<string>> {
  const ids = await deps.officeManagersOf(organizationId);
  const streams = await deps.store.readStreams(ids.map(accountStream));
  const active = new Set<string>();
  for (const id of ids) {
    const { state } = foldState(streams.get(accountStream(id)) ?? [], accountDecider);
    if (isOpen(state) && state.organizationId === organizationId && isActiveManager(state)) active.add(id);
  }
  return active;
}

async function otherActiveManagers(deps: LifecycleDeps, account: OpenAccountState) {
  if (!isActiveManager(account)) return 0; // the rule does not apply: nothing to count
  const managers = await activeManagers(deps, account.organizationId);
  managers.delete(account.id);
  return managers.size;
}

async function handle(deps: CoreDeps, ctx: RequestContext, account: OpenAccountState, command: AccountCommand) {
  const metadata = metadataFor(deps, ctx, account.organizationId);
  return handleCommand(deps.store, accountStream(account.id), accountDecider, command, metadata);
}

export async function updateUser(
  deps: LifecycleDeps,
  ctx: RequestContext,
  accountId: string,
  input: { name?: string; role?: Role },
) {
  const account = await openAccount(deps, accountId);
  assertCanManage(ctx.actor, account.organizationId);
  const demoting = input.role !== undefined && input.role !== account.role;
  const others = demoting ? await otherActiveManagers(deps, account) : 0;
  return handle(deps, ctx, account, {
    type: 'UpdateUser',
    actor: ctx.actor,
    data: { ...input, otherActiveManagers: others },
  });
}

/**
 * The new extension is reserved first, then the account moves, then the old one is released: at no
 * moment can two accounts hold one extension, on SQLite or EventStoreDB. Should a step fail, the
 * reservation left behind is taken over later (`reserve` sees its owner no longer holds it).
 */
export async function changeExtension(deps: CoreDeps, ctx: RequestContext, accountId: string, extension: string) {
  const account = await openAccount(deps, accountId);
  const organization = await loadOrganization(deps.store, account.organizationId);
  const command: AccountCommand = {
    type: 'ChangeExtension',
    actor: ctx.actor,
    data: { extension, loginName: `${extension}@${organization.domain}`, noticeId: newId(deps) },
  };
  // Authorise and validate before reserving anything; the same extension changes nothing.
  if (decideAccount(command, account).length === 0)
    return { events: [], state: account as AccountState, position: undefined };
  const metadata = metadataFor(deps, ctx, account.organizationId);
  const newStream = extensionReservationStream(account.organizationId, extension);
  await reserve(
    deps.store,
    newStream,
    { type: 'ExtensionReserved', ownerId: accountId },
    metadata,
    (owner) => holdsExtension(deps, owner, extension),
    `Extension ${extension} is already taken in this organization.`,
  );
  let result;
  try {
    result = await handleCommand(deps.store, accountStream(accountId), accountDecider, command, metadata);
  } catch (error) {
    await release(deps.store, newStream, accountId, metadata);
    throw error;
  }
  await release(deps.store, extensionReservationStream(account.organizationId, account.extension), accountId, metadata);
  return result;
}

export async function deactivateUser(deps: LifecycleDeps, ctx: RequestContext, accountId: string, reason?: string) {
  const account = await openAccount(deps, accountId);
  assertCanManage(ctx.actor, account.organizationId);
  const others = await otherActiveManagers(deps, account);
  return handle(deps, ctx, account, {
    type: 'DeactivateAccount',
    actor: ctx.actor,
    data: { reason, otherActiveManagers: others },
  });
}

export async function reactivateUser(deps: CoreDeps, ctx: RequestContext, accountId: string, reason?: string) {
  const account = await openAccount(deps, accountId);
  return handle(deps, ctx, account, { type: 'ReactivateAccount', actor: ctx.actor, data: { reason } });
}

export async function signOutEverywhere(deps: CoreDeps, ctx: RequestContext, accountId: string) {
  const account = await openAccount(deps, accountId);
  return handle(deps, ctx, account, { type: 'SignOutEverywhere', actor: ctx.actor });
}

/**
 * Records the erasure, then releases the extension. The data key itself is deleted by the reaction to
 * `AccountErased`, once the projections have rewritten the account.
 */
export async function eraseUser(deps: CoreDeps, ctx: RequestContext, accountId: string, confirmName: string) {
  const account = await openAccount(deps, accountId);
  const result = await handle(deps, ctx, account, { type: 'EraseAccount', actor: ctx.actor, data: { confirmName } });
  const metadata = metadataFor(deps, ctx, account.organizationId);
  await release(deps.store, extensionReservationStream(account.organizationId, account.extension), accountId, metadata);
  return result;
}

export interface BulkOutcome {
  done: string[];
  skipped: { userId: string; reason: string }[];
  position?: Position;
}

/**
 * Many deactivations in one batched append, each decided on its own stream. The last-manager rule
 * counts across the batch: deactivating every manager at once leaves the last one standing.
 */
export async function deactivateUsers(
  deps: LifecycleDeps,
  ctx: RequestContext,
  organizationId: string,
  accountIds: string[],
): Promise<BulkOutcome> {
  assertCanManage(ctx.actor, organizationId);
  const metadata = metadataFor(deps, ctx, organizationId);
  const unique = [...new Set(accountIds)];
  const streams = await deps.store.readStreams(unique.map(accountStream));
  const managers = await activeManagers(deps, organizationId);
  const skipped: BulkOutcome['skipped'] = [];
  const appends: StreamAppend[] = [];
  const planned: string[] = [];
  for (const accountId of unique) {
    const { state, expectedRevision } = foldState(streams.get(accountStream(accountId)) ?? [], accountDecider);
    const others = [...managers].filter((id) => id !== accountId).length;
    let events;
    try {
      events = decideAccount(
        { type: 'DeactivateAccount', actor: ctx.actor, data: { otherActiveManagers: others } },
        state,
      );
    } catch (error) {
      if (!(error instanceof KeyturnError)) throw error;
      skipped.push({ userId: accountId, reason: skipReason(error) });
      continue;
    }
    if (events.length === 0) {
      skipped.push({ userId: accountId, reason: 'Already deactivated.' });
      continue;
    }
    managers.delete(accountId);
    appends.push({ streamName: accountStream(accountId), events: toNewEvents(events, metadata), expectedRevision });
    planned.push(accountId);
  }
  const outcomes = await deps.store.appendBatch(appends);
  const done: string[] = [];
  let position: Position | undefined;
  outcomes.forEach((outcome, i) => {
    const accountId = planned[i]!;
    if (outcome.ok) {
      done.push(accountId);
      position = outcome.result.position;
    } else {
      skipped.push({ userId: accountId, reason: 'The user changed meanwhile; try again.' });
    }
  });
  return { done, skipped, position };
}
