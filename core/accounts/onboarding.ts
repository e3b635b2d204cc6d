import { foldState, handleCommand } from '../commandHandler.js';
import { metadataFor, newId, type CoreDeps, type RequestContext } from '../context.js';
import { KeyturnError, badInput } from '../errors.js';
import type { Position, StreamAppend } from '../eventStore/eventStore.js';
import { toNewEvents } from '../commandHandler.js';
import { loadOrganization } from '../organizations/registerOrganization.js';
import { extensionReservationStream, reserve } from '../reservations.js';
import {
  assertCanManage,
  assertWelcomeLinkUsable,
  decideAccount,
  initialAccountState,
  isOpen,
  type AccountCommand,
  type OpenAccountState,
} from './account.js';
import { accountDecider, loadAccount } from './accountDecider.js';
import { accountOfLink } from './links.js';
import { accountStream, type Role } from './events.js';
import { checkPassword } from './passwordPolicy.js';
import { checkPin } from './pinPolicy.js';

export interface CreateUserInput {
  organizationId: string;
  name: string;
  extension: string;
  email: string;
  role: Role;
}

export async function createUser(deps: CoreDeps, ctx: RequestContext, input: CreateUserInput) {
  const accountId = newId(deps);
  const organization = await loadOrganization(deps.store, input.organizationId);
  const command: AccountCommand = {
    type: 'OpenAccount',
    actor: ctx.actor,
    data: { accountId, ...input, loginName: `${input.extension}@${organization.domain}` },
  };
  decideAccount(command, initialAccountState()); // authorise and validate before reserving anything
  const metadata = metadataFor(deps, ctx, input.organizationId);
  await reserve(
    deps.store,
    extensionReservationStream(input.organizationId, input.extension),
    { type: 'ExtensionReserved', ownerId: accountId },
    metadata,
    (owner) => holdsExtension(deps, owner, input.extension),
    `Extension ${input.extension} is already taken in this organization.`,
  );
  const result = await handleCommand(deps.store, accountStream(accountId), accountDecider, command, metadata);
  return { accountId, position: result.position, state: result.state };
}

/** Whether the account still holds `extension` (not erased, not moved to another one). */
export async function holdsExtension(deps: CoreDeps, accountId: string, extension: string) {
  const { state } = await loadAccount(deps.store, accountId);
  return isOpen(state) && state.extension === extension;
}

export async function sendWelcomeEmail(deps: CoreDeps, ctx: RequestContext, accountId: string, bulkId?: string) {
  const now = deps.clock();
  const { state } = await loadAccount(deps.store, accountId);
  if (!isOpen(state)) throw new KeyturnError('NOT_FOUND', 'No such user.');
  const command: AccountCommand = {
    type: 'SendWelcomeEmail',
    actor: ctx.actor,
    now,
    data: { inviteId: newId(deps), expiresAt: new Date(now.getTime() + deps.links.welcomeTtlMs), bulkId },
  };
  const metadata = metadataFor(deps, ctx, state.organizationId, now);
  return handleCommand(deps.store, accountStream(accountId), accountDecider, command, metadata);
}

export interface BulkWelcomeOutcome {
  bulkId: string;
  sent: string[];
  skipped: { userId: string; reason: string }[];
  position?: Position;
}

/**
 * Welcome emails for many users in one request: every account is decided on its own stream, and the
 * events are recorded in one batched append (not one commit per user). Emails go out afterwards,
 * through the reactor.
 */
export async function sendWelcomeEmails(
  deps: CoreDeps,
  ctx: RequestContext,
  organizationId: string,
  accountIds: string[],
): Promise<BulkWelcomeOutcome> {
  assertCanManage(ctx.actor, organizationId);
  const now = deps.clock();
  const bulkId = newId(deps);
  const expiresAt = new Date(now.getTime() + deps.links.welcomeTtlMs);
  const metadata = metadataFor(deps, ctx, organizationId, now);
  const skipped: BulkWelcomeOutcome['skipped'] = [];
  const appends: StreamAppend[] = [];
  const planned: string[] = [];
  const unique = [...new Set(accountIds)];
  const streams = await deps.store.readStreams(unique.map(accountStream));
  for (const accountId of unique) {
    const { state, expectedRevision } = foldState(streams.get(accountStream(accountId)) ?? [], accountDecider);
    // The decider is the only judge, as for one email; its refusal becomes this user's skip reason.
    let events;
    try {
      events = decideAccount(
        { type: 'SendWelcomeEmail', actor: ctx.actor, now, data: { inviteId: newId(deps), expiresAt, bulkId } },
        state,
      );
    } catch (error) {
      if (!(error instanceof KeyturnError)) throw error;
      skipped.push({ userId: accountId, reason: skipReason(error) });
      continue;
    }
    appends.push({ streamName: accountStream(accountId), events: toNewEvents(events, metadata), expectedRevision });
    planned.push(accountId);
  }
  const outcomes = await deps.store.appendBatch(appends);
  const sent: string[] = [];
  let position: Position | undefined;
  outcomes.forEach((outcome, i) => {
    const accountId = planned[i]!;
    if (outcome.ok) {
      sent.push(accountId);
      position = outcome.result.position;
    } else {
      skipped.push({ userId: accountId, reason: 'The user changed while sending; try again.' });
    }
  });
  return { bulkId, sent, skipped, position };
}

/** NOT_FOUND covers another organization's users too: their existence is not leaked. */
export const skipReason = (error: KeyturnError) =>
  error.code === 'NOT_FOUND' ? 'No such user in this organization.' : error.message;

export interface CompleteSetupInput {
  token: string;
  password: string;
  confirmPassword: string;
  voicemailPin: string;
}

/** Password/PIN rules first (never burns the link), then the link, then the expensive hashing. */
export async function completeSetup(deps: CoreDeps, ctx: RequestContext, input: CompleteSetupInput) {
  const { state, linkId } = await accountOfLink(deps, 'welcome', input.token);
  assertSetupInput(state, input);
  const now = deps.clock();
  assertWelcomeLinkUsable(state, linkId, now);
  const [passwordHash, pinHash] = await Promise.all([
    deps.hasher.hash(input.password),
    deps.hasher.hash(input.voicemailPin),
  ]);
  const command: AccountCommand = { type: 'CompleteSetup', now, data: { inviteId: linkId, passwordHash, pinHash } };
  const metadata = metadataFor(deps, { ...ctx, actor: { kind: 'anonymous' } }, state.organizationId, now);
  const result = await handleCommand(deps.store, accountStream(state.id), accountDecider, command, metadata);
  return { accountId: state.id, loginName: state.loginName, position: result.position };
}

function assertSetupInput(state: OpenAccountState, input: CompleteSetupInput) {
  const fields = checkPassword(input, { loginName: state.loginName, extension: state.extension });
  const pinProblems = checkPin(input.voicemailPin, state.extension);
  if (pinProblems.length > 0) fields.voicemailPin = pinProblems;
  if (Object.keys(fields).length > 0) throw badInput(fields);
}
