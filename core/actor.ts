import type { Role } from './accounts/events.js';

/** Who asks. Time and ids arrive with commands; so does the actor. */
export type Actor =
  | { kind: 'account'; accountId: string; organizationId: string; role: Role }
  | { kind: 'system' }
  /** someone holding an emailed link, or asking for a reset / login name */
  | { kind: 'anonymous' };

export const SYSTEM: Actor = { kind: 'system' };
export const ANONYMOUS: Actor = { kind: 'anonymous' };

export const actorId = (actor: Actor): string =>
  actor.kind === 'account' ? actor.accountId : actor.kind === 'system' ? 'system' : 'anonymous';
