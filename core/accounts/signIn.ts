import { KeyturnError } from '../errors.js';
import type { CoreDeps } from '../context.js';
import { organizationIdOfDomain } from '../organizations/registerOrganization.js';
import { extensionReservationStream, reservationOwner } from '../reservations.js';
import type { OpenAccountState } from './account.js';
import { loadAccount } from './accountDecider.js';

const LOGIN_NAME = /^([0-9]{2,10})@([a-z0-9-]{1,63})$/;

export const normalizeLoginName = (loginName: string) => loginName.trim().toLowerCase();

const invalid = () => new KeyturnError('INVALID_CREDENTIALS', 'The login name or password is not right.');

/**
 * Checks a login name and password against the event store (reservations lead from the login name to
 * the account). Unknown names spend the same hashing time and get the same answer as a wrong password.
 */
export async function verifyCredentials(deps: CoreDeps, loginName: string, password: string): Promise<OpenAccountState> {
  const match = LOGIN_NAME.exec(normalizeLoginName(loginName));
  const account = match ? await findAccount(deps, match[2]!, match[1]!) : undefined;
  if (!account?.passwordHash) {
    await deps.hasher.dummyVerify(password);
    throw invalid();
  }
  if (!(await deps.hasher.verify(account.passwordHash, password))) throw invalid();
  return account;
}

async function findAccount(deps: CoreDeps, domain: string, extension: string) {
  const organizationId = await organizationIdOfDomain(deps.store, domain);
  if (!organizationId) return undefined;
  const accountId = await reservationOwner(deps.store, extensionReservationStream(organizationId, extension));
  if (!accountId) return undefined;
  const { state } = await loadAccount(deps.store, accountId);
  return state.status === 'active' ? state : undefined;
}
