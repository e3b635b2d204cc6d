import type { Actor } from '../../core/actor.js';
import type { AppServices } from '../services.js';

export interface GraphQLContext {
  actor: Actor;
  /** the session's token hash, for sign-out */
  sessionTokenHash?: string;
  /** the session's public id: `mySessions` marks it current, a password change keeps it */
  sessionId?: string;
  requestId: string;
  /** the socket's address, or the proxy's word for it when TRUST_PROXY says so (throttling keys) */
  clientAddress: string;
  /** the request's User-Agent header; only its summary is ever stored (see `summarizeUserAgent`) */
  userAgent?: string;
  services: AppServices;
  /** set by sign-in so the HTTP layer can also set the session cookie */
  setSessionCookie?: (token: string, expiresAt: Date) => void;
  clearSessionCookie?: () => void;
}
