import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../../core/actor.js';
import type { OpenAccountState } from '../../core/accounts/account.js';
import type { SessionRecord } from '../../projections/readModel.js';
import type { AppServices } from '../services.js';

/** Only the hash is stored: a copy of the read store does not hand out sessions. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** `lastSeenAt` is written at most this often per session, so reads do not turn into writes. */
export const TOUCH_EVERY_MS = 60_000;

/** `userAgent`: the summary to show (see `summarizeUserAgent`), never the raw header. */
export async function openSession(services: AppServices, account: OpenAccountState, userAgent: string) {
  const token = randomBytes(32).toString('base64url');
  const now = services.core.clock();
  const expiresAt = new Date(now.getTime() + services.sessionTtlMs);
  await services.readModel.sessions.create({
    tokenHash: hashToken(token),
    // random, not derived from the token: it is shown and sent around, the token never is
    id: randomUUID(),
    accountId: account.id,
    organizationId: account.organizationId,
    role: account.role,
    credentialVersion: account.credentialVersion,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    userAgent,
    lastSeenAt: now.toISOString(),
  });
  return { token, expiresAt };
}

export interface Caller {
  actor: Actor;
  /** the session's token hash (sign-out, request budgets) */
  tokenHash?: string;
  /** the session's public id (the sessions list marks and keeps it) */
  sessionId?: string;
}

const anonymous: Caller = { actor: { kind: 'anonymous' } };

export async function actorOfToken(services: AppServices, token: string | undefined): Promise<Caller> {
  if (!token || token.length > 200) return anonymous;
  const tokenHash = hashToken(token);
  const now = services.core.clock();
  const session = await services.readModel.sessions.get(tokenHash, now);
  if (!session) return anonymous;
  // A credential change ends sessions by a reaction; should that reaction be lost (a crash between the
  // append and it), the credential version the projection keeps still refuses the older session.
  const view = await services.readModel.users.get(session.organizationId, session.accountId);
  if (!view || (view.credentialVersion ?? 0) > session.credentialVersion) return anonymous;
  touchNowAndThen(services, session, now);
  return {
    // The role of the user view, not the one the session was opened with: a role change applies at once.
    actor: { kind: 'account', accountId: session.accountId, organizationId: session.organizationId, role: view.role },
    tokenHash,
    sessionId: session.id,
  };
}

/**
 * Off the request path: the request does not wait for the write, and a lost one only leaves
 * `lastSeenAt` a minute older. Two requests racing past the check both write; `touch` never moves
 * the time back, so that is harmless.
 */
function touchNowAndThen(services: AppServices, session: SessionRecord, now: Date) {
  if (now.getTime() - Date.parse(session.lastSeenAt) < TOUCH_EVERY_MS) return;
  services.background.run('session-touch', () => services.readModel.sessions.touch(session.id, now));
}
