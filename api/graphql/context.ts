import type { Actor } from '../../core/actor.js';
import type { AppServices } from '../services.js';

export interface GraphQLContext {
  actor: Actor;
  /** the session's token hash, for sign-out */
  sessionTokenHash?: string;
  requestId: string;
  /** the socket's address, or the proxy's word for it when TRUST_PROXY says so (throttling keys) */
  clientAddress: string;
  services: AppServices;
  /** set by sign-in so the HTTP layer can also set the session cookie */
  setSessionCookie?: (token: string, expiresAt: Date) => void;
  clearSessionCookie?: () => void;
}
