import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { KeyturnError } from '../../core/errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { requireSignedIn } from './authChecker.js';
import { SessionInfo, toSessionInfo } from './sessionInfo.type.js';

// One answer for an unknown id and for someone else's: which ids exist is not the caller's business.
const notFound = () => new KeyturnError('NOT_FOUND', 'No such session.');

/** Session ids are UUIDs; anything much longer is no id of ours and needs no lookup. */
const MAX_ID_LENGTH = 64;

/** Where a signed-in user sees where they are signed in, and ends what they do not recognise. */
@Resolver()
export class MySessionsResolver {
  @Authorized()
  @Query(() => [SessionInfo], { description: "the signed-in user's open sessions, newest first" })
  async mySessions(@Ctx() ctx: GraphQLContext): Promise<SessionInfo[]> {
    const actor = requireSignedIn(ctx);
    const sessions = await ctx.services.readModel.sessions.listForAccount(actor.accountId, ctx.services.core.clock());
    return sessions.map((session) => toSessionInfo(session, ctx.sessionId));
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'ends one of your own sessions at once (this one signs you out); NOT_FOUND for any other id',
  })
  async revokeSession(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const actor = requireSignedIn(ctx);
    if (id.length > MAX_ID_LENGTH) throw notFound();
    const { sessions } = ctx.services.readModel;
    // An expired session is already over: it answers like one that never was, as the list does.
    const session = await sessions.getById(id, ctx.services.core.clock());
    if (session?.accountId !== actor.accountId || !(await sessions.deleteById(actor.accountId, id))) throw notFound();
    if (id === ctx.sessionId) ctx.clearSessionCookie?.();
    return true;
  }
}
