import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../../core/actor.js';
import type { OpenAccountState } from '../../core/accounts/account.js';
import type { AppServices } from '../services.js';

/** Only the hash is stored: a copy of the read store does not hand out sessions. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function openSession(services: AppServices, account: OpenAccountState) {
  const token = randomBytes(32).toString('base64url');
  const now = services.core.clock();
  const expiresAt = new Date(now.getTime() + services.sessionTtlMs);
  await services.readModel.sessions.create({
    tokenHash: hashToken(token),
    accountId: account.id,
    organizationId: account.organizationId,
    role: account.role,
    credentialVersion: account.credentialVersion,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  return { token, expiresAt };
}

export async function actorOfToken(
  services: AppServices,
  token: string | undefined,
): Promise<{ actor: Actor; tokenHash?: string }> {
  if (!token || token.length > 200) return { actor: { kind: 'anonymous' } };
  const tokenHash = hashToken(token);
  const session = await services.readModel.sessions.get(tokenHash, services.core.clock());
  if (!session) return { actor: { kind: 'anonymous' } };
  // A password change ends sessions by a reaction; should that reaction be lost (a crash between the
  // append and it), the credential version the projection keeps still refuses the older session.
  const view = await services.readModel.users.get(session.organizationId, session.accountId);
  if (!view || (view.credentialVersion ?? 0) > session.credentialVersion) return { actor: { kind: 'anonymous' } };
  return {
    actor: { kind: 'account', accountId: session.accountId, organizationId: session.organizationId, role: session.role },
    tokenHash,
  };
}
