import { handleCommand } from '../commandHandler.js';
import { metadataFor, newId, type CoreDeps, type RequestContext } from '../context.js';
import { badInput } from '../errors.js';
import type { Position } from '../eventStore/eventStore.js';
import { assertResetLinkUsable, recipientsOf, type AccountCommand } from './account.js';
import { accountDecider, loadAccount } from './accountDecider.js';
import { accountStream, type AccountEvent, type RecoveryEmailKind } from './events.js';
import { checkPassword } from './passwordPolicy.js';
import { accountOfLink } from './links.js';

/** Someone who owns an address, as the read model knows it (lookups here need no strict consistency). */
export interface AddressOwner {
  accountId: string;
  organizationId: string;
  loginName: string;
  status: string;
}

/** `withheld-first`: the first refusal in the cap's window, the one recorded on the account. */
export type EmailAllowance = 'allowed' | 'withheld-first' | 'withheld';

export interface RecoveryDeps extends CoreDeps {
  ownersOfEmail(email: string): Promise<AddressOwner[]>;
  /** each kind has its own per-address budget (default 5 an hour), so one cannot silence the other */
  allowEmail(kind: RecoveryEmailKind, address: string): Promise<EmailAllowance>;
}

/**
 * Runs off the request path: the mutation answers `true` at once for every address, so neither the
 * answer nor its timing tells whether an account exists. Only accounts that completed setup get a link.
 */
export async function processPasswordResetRequest(deps: RecoveryDeps, ctx: RequestContext, email: string) {
  const owners = (await deps.ownersOfEmail(email)).filter((o) => o.status === 'ACTIVE');
  for (const owner of owners) {
    const { state } = await loadAccount(deps.store, owner.accountId);
    if (state.status !== 'active' || state.deactivated) continue;
    // The cap counts every mailbox the email reaches, not only the address typed in.
    if (!(await allowed(deps, ctx, 'reset', owner, recipientsOf(state)))) continue;
    const now = deps.clock();
    const command: AccountCommand = {
      type: 'RequestReset',
      now,
      data: { resetId: newId(deps), expiresAt: new Date(now.getTime() + deps.links.resetTtlMs) },
    };
    const metadata = metadataFor(deps, ctx, owner.organizationId, now);
    await handleCommand(deps.store, accountStream(owner.accountId), accountDecider, command, metadata);
  }
}

/**
 * True when every address may get another email of this kind. Otherwise nothing is sent and, the
 * first time in the cap's window, the account records why (`EmailWithheld`), so an office manager
 * can tell the user; later refusals in the window add nothing, so a flood cannot bloat the history.
 */
async function allowed(
  deps: RecoveryDeps,
  ctx: RequestContext,
  kind: RecoveryEmailKind,
  owner: AddressOwner,
  addresses: string[],
) {
  const answers = await Promise.all(addresses.map((a) => deps.allowEmail(kind, a)));
  if (answers.every((a) => a === 'allowed')) return true;
  if (answers.includes('withheld-first')) {
    const command: AccountCommand = { type: 'WithholdEmail', data: { withheldId: newId(deps), kind } };
    const metadata = metadataFor(deps, ctx, owner.organizationId);
    await handleCommand(deps.store, accountStream(owner.accountId), accountDecider, command, metadata);
  }
  return false;
}

type LoginNameRequest = Extract<AccountEvent, { type: 'LoginNameRequested' }>['data'];

/** One email to the address asked about, listing every login name tied to it. */
export async function processLoginNameRequest(deps: RecoveryDeps, ctx: RequestContext, email: string) {
  // A deactivated account is never named: its owner has left (the answer is `true` all the same).
  const owners = (await deps.ownersOfEmail(email)).filter((o) => o.status !== 'DEACTIVATED');
  if (owners.length === 0 || !(await allowed(deps, ctx, 'login-name', owners[0]!, [email]))) return;
  const requestId = newId(deps);
  const loginNames = owners.map((o) => o.loginName).sort();
  // An account that never completed setup has no password to sign in with: its email says so.
  const pendingLoginNames = owners
    .filter((o) => o.status !== 'ACTIVE')
    .map((o) => o.loginName)
    .sort();
  const request: Omit<LoginNameRequest, 'deliver'> = { requestId, to: email, loginNames, pendingLoginNames };
  for (const [i, owner] of owners.entries()) {
    // The decider records the command's data as the event's, `pendingLoginNames` included.
    const command: AccountCommand = { type: 'RequestLoginName', data: { ...request, deliver: i === 0 } };
    const metadata = metadataFor(deps, ctx, owner.organizationId);
    await handleCommand(deps.store, accountStream(owner.accountId), accountDecider, command, metadata);
  }
}

export interface ResetPasswordInput {
  token: string;
  password: string;
  confirmPassword: string;
}

export async function resetPassword(
  deps: CoreDeps,
  ctx: RequestContext,
  input: ResetPasswordInput,
): Promise<{ accountId: string; position?: Position }> {
  const { state, linkId } = await accountOfLink(deps, 'reset', input.token);
  const fields = checkPassword(input, { loginName: state.loginName, extension: state.extension });
  if (Object.keys(fields).length > 0) throw badInput(fields);
  const now = deps.clock();
  assertResetLinkUsable(state, linkId, now);
  const passwordHash = await deps.hasher.hash(input.password);
  const command: AccountCommand = {
    type: 'ResetPassword',
    now,
    data: { resetId: linkId, changeId: newId(deps), passwordHash },
  };
  const metadata = metadataFor(deps, { ...ctx, actor: { kind: 'anonymous' } }, state.organizationId, now);
  const result = await handleCommand(deps.store, accountStream(state.id), accountDecider, command, metadata);
  return { accountId: state.id, position: result.position };
}
