import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../../core/actor.js';
import type { OpenAccountState } from '../../core/accounts/account.js';
import type { SessionRecord } from '../../projections/readModel.js';
import type { AppServices } from '../services.js';
import { boundedCache } from '../graphql/boundedCache.js';

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

type ReadSession = (tokenHash: string, now: Date, fresh: boolean) => Promise<SessionRecord | undefined>;
type Touched = (tokenHash: string, session: SessionRecord) => void;

export async function actorOfToken(services: AppServices, token: string | undefined): Promise<Caller> {
  return callerOf(services, token, (tokenHash, now) => services.readModel.sessions.get(tokenHash, now));
}

async function callerOf(
  services: AppServices,
  token: string | undefined,
  readSession: ReadSession,
  touched?: Touched,
): Promise<Caller> {
  if (!token || token.length > 200) return anonymous;
  const tokenHash = hashToken(token);
  const now = services.core.clock();
  let session = await readSession(tokenHash, now, false);
  if (!session) return anonymous;
  // A credential change ends sessions by a reaction; should that reaction be lost (a crash between the
  // append and it), the credential version the projection keeps still refuses the older session.
  const view = await services.readModel.users.get(session.organizationId, session.accountId);
  if (!view) return anonymous;
  const credentialVersion = view.credentialVersion ?? 0;
  if (credentialVersion > session.credentialVersion) {
    // A remembered record may predate the raise of the session a password was changed from: only
    // the stored one may refuse it.
    session = await readSession(tokenHash, now, true);
    if (!session || credentialVersion > session.credentialVersion) return anonymous;
  }
  if (touchNowAndThen(services, session, now)) touched?.(tokenHash, { ...session, lastSeenAt: now.toISOString() });
  return {
    // The role of the user view, not the one the session was opened with: a role change applies at once.
    actor: { kind: 'account', accountId: session.accountId, organizationId: session.organizationId, role: view.role },
    tokenHash,
    sessionId: session.id,
  };
}

/** How long one process serves a session record without asking the store (see `sessionLookup`). */
export const SESSION_CACHE_TTL_MS = 1000;
const SESSION_CACHE_ENTRIES = 10_000;

export interface SessionLookup {
  callerOf(token: string | undefined): Promise<Caller>;
  /** the services to hand to resolvers: their session deletions empty this lookup's cache */
  services: AppServices;
}

/**
 * `actorOfToken` for the HTTP route, with the session record remembered for at most
 * `SESSION_CACHE_TTL_MS`. What is safe to remember, field by field:
 * - who and where (account, organization, id) and `expiresAt` never change; expiry is checked on
 *   every request against the remembered time;
 * - the credential version of a session only ever rises (a kept session after a password change),
 *   so a remembered one can only refuse; a refusal asks the store again;
 * - the user view is read on every request, never remembered: a password change, a deactivation,
 *   "sign out everywhere" and an erasure raise its credential version (or remove it), and refuse at
 *   once, in every process, as soon as the projection has them — the moment the mutation returns;
 * - the row itself can be deleted: one sign-out or `revokeSession`. Through `services` here that
 *   empties the cache at once; from another process (or another app in this one) the session goes
 *   on for at most `SESSION_CACHE_TTL_MS`.
 * A lookup that was under way while a deletion happened does not store what it read.
 */
export function sessionLookup(
  services: AppServices,
  options: { ttlMs?: number; monotonicNow?: () => number } = {},
): SessionLookup {
  const ttlMs = options.ttlMs ?? SESSION_CACHE_TTL_MS;
  // Real time, not the service clock: the bound is on how stale a record may be.
  const monotonicNow = options.monotonicNow ?? (() => performance.now());
  const cache = boundedCache<SessionRecord>({ maxEntries: SESSION_CACHE_ENTRIES, ttlMs });
  let deletions = 0;
  const read: ReadSession = async (tokenHash, now, fresh) => {
    const remembered = fresh ? undefined : cache.get(tokenHash, monotonicNow());
    if (remembered && Date.parse(remembered.expiresAt) > now.getTime()) return remembered;
    const seen = deletions;
    const session = await services.readModel.sessions.get(tokenHash, now);
    if (session && seen === deletions) cache.set(tokenHash, session, monotonicNow());
    else cache.delete(tokenHash);
    return session;
  };
  const forgetAll = () => {
    deletions++;
    cache.clear();
  };
  const { sessions } = services.readModel;
  const evicting: typeof sessions = Object.assign(Object.create(sessions) as typeof sessions, {
    delete: (tokenHash: string) => sessions.delete(tokenHash).finally(forgetAll),
    deleteById: (accountId: string, id: string) => sessions.deleteById(accountId, id).finally(forgetAll),
    deleteForAccount: (accountId: string) => sessions.deleteForAccount(accountId).finally(forgetAll),
    endOpenedBefore: (...args: Parameters<typeof sessions.endOpenedBefore>) =>
      sessions.endOpenedBefore(...args).finally(forgetAll),
  });
  const readModel = Object.assign(Object.create(services.readModel) as AppServices['readModel'], {
    sessions: evicting,
  });
  return {
    // A touch moved `lastSeenAt`: remembered, or every request of the next second would touch too.
    callerOf: (token) => callerOf(services, token, read, (tokenHash, session) => cache.replace(tokenHash, session)),
    services: { ...services, readModel },
  };
}

/**
 * Off the request path: the request does not wait for the write, and a lost one only leaves
 * `lastSeenAt` a minute older. Two requests racing past the check both write; `touch` never moves
 * the time back, so that is harmless.
 */
function touchNowAndThen(services: AppServices, session: SessionRecord, now: Date): boolean {
  if (now.getTime() - Date.parse(session.lastSeenAt) < TOUCH_EVERY_MS) return false;
  services.background.run('session-touch', () => services.readModel.sessions.touch(session.id, now));
  return true;
}
