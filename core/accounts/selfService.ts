import { handleCommand } from '../commandHandler.js';
import { metadataFor, newId, type CoreDeps, type RequestContext } from '../context.js';
import { KeyturnError, badInput } from '../errors.js';
import { assertPinResetLinkUsable, isOpen, type AccountCommand, type OpenAccountState } from './account.js';
import { accountDecider, loadAccount } from './accountDecider.js';
import { accountStream } from './events.js';
import { accountOfLink } from './links.js';
import { checkPassword } from './passwordPolicy.js';
import { checkPin } from './pinPolicy.js';
import { verifyOwnPassword, type PasswordCheckGuard } from './signIn.js';

const DEFAULT_PIN_RESET_TTL_MS = 3 * 3_600_000;

/** The signed-in caller's own account; anything else is UNAUTHENTICATED. */
async function ownAccount(deps: CoreDeps, ctx: RequestContext): Promise<OpenAccountState> {
  if (ctx.actor.kind !== 'account') throw new KeyturnError('UNAUTHENTICATED', 'Sign in first.');
  const { state } = await loadAccount(deps.store, ctx.actor.accountId);
  if (!isOpen(state)) throw new KeyturnError('UNAUTHENTICATED', 'Sign in first.');
  return state;
}

function assertPinRules(pin: string, extension: string) {
  const problems = checkPin(pin, extension);
  if (problems.length > 0) throw badInput({ voicemailPin: problems });
}

async function record(deps: CoreDeps, ctx: RequestContext, account: OpenAccountState, command: AccountCommand) {
  const metadata = metadataFor(deps, ctx, account.organizationId);
  return handleCommand(deps.store, accountStream(account.id), accountDecider, command, metadata);
}

export interface ChangePasswordInput {
  currentPassword: string;
  password: string;
  confirmPassword: string;
}

/**
 * The rules first (cheap, no password spent), then the current password through the sign-in guard (a
 * wrong one counts as a failed sign-in), then hashing. The session asking stays; every other ends.
 */
export async function changeOwnPassword(
  deps: CoreDeps,
  ctx: RequestContext,
  input: ChangePasswordInput,
  keptSessionId: string | undefined,
  guard?: PasswordCheckGuard,
) {
  const account = await ownAccount(deps, ctx);
  const fields = checkPassword(input, { loginName: account.loginName, extension: account.extension });
  if (Object.keys(fields).length > 0) throw badInput(fields);
  await verifyOwnPassword(deps, account, input.currentPassword, guard);
  const passwordHash = await deps.hasher.hash(input.password);
  return record(deps, ctx, account, {
    type: 'ChangeOwnPassword',
    actor: ctx.actor,
    data: { changeId: newId(deps), passwordHash, keptSessionId, passwordConfirmed: true },
  });
}

/** "Not your extension" is checked against the extension the account has now, at every change. */
export async function changeOwnPin(
  deps: CoreDeps,
  ctx: RequestContext,
  input: { currentPassword: string; voicemailPin: string },
  guard?: PasswordCheckGuard,
) {
  const account = await ownAccount(deps, ctx);
  assertPinRules(input.voicemailPin, account.extension);
  await verifyOwnPassword(deps, account, input.currentPassword, guard);
  const pinHash = await deps.hasher.hash(input.voicemailPin);
  return record(deps, ctx, account, {
    type: 'ChangeOwnPin',
    actor: ctx.actor,
    data: { changeId: newId(deps), pinHash, passwordConfirmed: true },
  });
}

export async function sendPinResetEmail(deps: CoreDeps, ctx: RequestContext, accountId: string) {
  const { state } = await loadAccount(deps.store, accountId);
  if (!isOpen(state)) throw new KeyturnError('NOT_FOUND', 'No such user.');
  const now = deps.clock();
  const ttl = deps.links.pinResetTtlMs ?? DEFAULT_PIN_RESET_TTL_MS;
  return record(deps, ctx, state, {
    type: 'SendPinResetEmail',
    actor: ctx.actor,
    now,
    data: { resetId: newId(deps), expiresAt: new Date(now.getTime() + ttl) },
  });
}

/** PIN rules before the link: input that breaks them never burns it. Only a successful submit uses it. */
export async function resetVoicemailPin(
  deps: CoreDeps,
  ctx: RequestContext,
  input: { token: string; voicemailPin: string },
) {
  const { state, linkId } = await accountOfLink(deps, 'pin-reset', input.token);
  assertPinRules(input.voicemailPin, state.extension);
  const now = deps.clock();
  assertPinResetLinkUsable(state, linkId, now);
  const pinHash = await deps.hasher.hash(input.voicemailPin);
  const command: AccountCommand = { type: 'ResetPin', now, data: { resetId: linkId, changeId: newId(deps), pinHash } };
  return record(deps, { ...ctx, actor: { kind: 'anonymous' } }, state, command);
}
