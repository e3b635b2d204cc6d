import type { AuthChecker } from 'type-graphql';
import { KeyturnError } from '../../core/errors.js';
import type { Actor } from '../../core/actor.js';
import type { GraphQLContext } from '../graphql/context.js';

export type SignedIn = Extract<Actor, { kind: 'account' }>;

export function requireSignedIn(ctx: GraphQLContext): SignedIn {
  if (ctx.actor.kind !== 'account') throw new KeyturnError('UNAUTHENTICATED', 'Please sign in.');
  return ctx.actor;
}

/** `@Authorized()` = signed in; `@Authorized('OFFICE_MANAGER', …)` = one of these roles. */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  const actor = requireSignedIn(context);
  if (roles.length > 0 && !roles.includes(actor.role)) {
    throw new KeyturnError('FORBIDDEN', 'Your role does not allow this.');
  }
  return true;
};

/** Office managers and auditors read the users of their own organization; users read themselves. */
export function canRead(actor: SignedIn, user: { id: string; organizationId: string }): boolean {
  if (actor.organizationId !== user.organizationId) return false;
  return actor.accountId === user.id || actor.role === 'OFFICE_MANAGER' || actor.role === 'AUDITOR';
}
