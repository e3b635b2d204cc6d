import { KeyturnError } from '../errors.js';
import type { CoreDeps } from '../context.js';
import { organizationIdOfDomain } from '../organizations/registerOrganization.js';
import { extensionReservationStream, reservationOwner } from '../reservations.js';
import type { OpenAccountState } from './account.js';
import { loadAccount } from './accountDecider.js';

const LOGIN_NAME = /^([0-9]{2,10})@([a-z0-9-]{1,63})$/;

export const normalizeLoginName = (loginName: string) => loginName.trim().toLowerCase().slice(0, 80);

const invalid = () => new KeyturnError('INVALID_CREDENTIALS', 'The login name or password is not right.');

/**
 * Wraps every password check (throttling): runs `check` or refuses without running it. It learns the
 * login name (as typed, normalised) and the account's credential version (0 for an unknown name) so
 * its budgets can follow password resets.
 */
export type PasswordCheckGuard = (
  who: { loginName: string; credentialVersion: number },
  check: () => Promise<boolean>,
) => Promise<boolean>;

const unguarded: PasswordCheckGuard = (_who, check) => check();

/**
 * Checks a login name and password against the event store (reservations lead from the login name to
 * the account). Unknown names spend the same hashing time and get the same answer as a wrong password.
 */
export async function verifyCredentials(
  deps: CoreDeps,
  loginName: string,
  password: string,
  guard: PasswordCheckGuard = unguarded,
): Promise<OpenAccountState> {
  const normalized = normalizeLoginName(loginName);
  const match = LOGIN_NAME.exec(normalized);
  const account = match ? await findAccount(deps, match[2]!, match[1]!) : undefined;
  const who = { loginName: normalized, credentialVersion: account?.credentialVersion ?? 0 };
  const ok = await guard(who, () => passwordMatches(deps, account, password));
  if (!ok || !account) throw invalid();
  return account;
}

/** The signed-in user's own password, checked again before a sensitive change (same guard, same answer). */
export async function verifyOwnPassword(
  deps: CoreDeps,
  account: OpenAccountState,
  password: string,
  guard: PasswordCheckGuard = unguarded,
): Promise<void> {
  const who = { loginName: account.loginName, credentialVersion: account.credentialVersion };
  const ok = await guard(who, () => passwordMatches(deps, account, password));
  if (!ok) throw invalid();
}

async function passwordMatches(deps: CoreDeps, account: OpenAccountState | undefined, password: string) {
  const candidate = password.slice(0, 256);
  // A deactivated account spends the same time and gets the same answer as a wrong password.
  if (account?.status !== 'active' || account.deactivated || !account.passwordHash) {
    await deps.hasher.dummyVerify(candidate);
    return false;
  }
  return deps.hasher.verify(account.passwordHash, candidate);
}

async function findAccount(deps: CoreDeps, domain: string, extension: string) {
  const organizationId = await organizationIdOfDomain(deps.store, domain);
  if (!organizationId) return undefined;
  const accountId = await reservationOwner(deps.store, extensionReservationStream(organizationId, extension));
  if (!accountId) return undefined;
  const { state } = await loadAccount(deps.store, accountId);
  // Mid-move (an extension change between reserving the new one and releasing the old), the old
  // reservation still names the account: only the extension it has now signs in.
  return state.status === 'active' && state.extension === extension ? state : undefined;
}
