import type { CoreDeps } from '../context.js';
import { isKeyturnError } from '../errors.js';
import { verifyLink, type LinkPurpose } from '../links/linkToken.js';
import {
  assertPinResetLinkUsable,
  assertResetLinkUsable,
  assertWelcomeLinkUsable,
  isOpen,
  linkError,
  type OpenAccountState,
} from './account.js';
import { loadAccount } from './accountDecider.js';

/** The rule that makes a link usable, per purpose: newest, unexpired, unused. */
const assertUsable = {
  welcome: assertWelcomeLinkUsable,
  reset: assertResetLinkUsable,
  'pin-reset': assertPinResetLinkUsable,
} satisfies Record<LinkPurpose, unknown>;

const expiryOf = {
  welcome: (s: OpenAccountState) => s.invite?.expiresAt,
  reset: (s: OpenAccountState) => s.reset?.expiresAt,
  'pin-reset': (s: OpenAccountState) => s.pinReset?.expiresAt,
} satisfies Record<LinkPurpose, unknown>;

/** The open account a genuine token points at, or LINK_INVALID (tampered token, unknown account). */
export async function accountOfLink(
  deps: CoreDeps,
  purpose: LinkPurpose,
  token: string,
): Promise<{ state: OpenAccountState; linkId: string }> {
  const ids = verifyLink(deps.links.secret, purpose, token);
  if (!ids) throw linkError.invalid();
  const { state } = await loadAccount(deps.store, ids.accountId);
  if (!isOpen(state)) throw linkError.invalid();
  return { state, linkId: ids.linkId };
}

export type LinkStatus = 'VALID' | 'EXPIRED' | 'USED' | 'INVALID';

export interface LinkInfo {
  status: LinkStatus;
  loginName?: string;
  extension?: string;
  expiresAt?: string;
}

/** What a link's page shows before submitting. Opening a link consumes nothing. */
export async function linkInfo(deps: CoreDeps, purpose: LinkPurpose, token: string): Promise<LinkInfo> {
  try {
    const { state, linkId } = await accountOfLink(deps, purpose, token);
    const s = assertUsable[purpose](state, linkId, deps.clock());
    return { status: 'VALID', loginName: s.loginName, extension: s.extension, expiresAt: expiryOf[purpose](s) };
  } catch (error) {
    if (isKeyturnError(error, 'LINK_EXPIRED')) return { status: 'EXPIRED' };
    if (isKeyturnError(error, 'LINK_USED')) return { status: 'USED' };
    if (isKeyturnError(error, 'LINK_INVALID')) return { status: 'INVALID' };
    throw error;
  }
}
