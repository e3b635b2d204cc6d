import { Arg, Authorized, Ctx, Field, Mutation, ObjectType, Resolver } from 'type-graphql';
import { verifyCredentials, type PasswordCheckGuard } from '../../core/accounts/signIn.js';
import type { GraphQLContext } from '../graphql/context.js';
import { User, toUser, userOfAccount } from '../users/user.type.js';
import { openSession } from './sessions.js';
import { summarizeUserAgent } from './userAgent.js';

/** Every password check of a request goes through the sign-in budgets of its login name and address. */
export const signInGuard =
  (ctx: GraphQLContext): PasswordCheckGuard =>
  (who, check) =>
    ctx.services.limits.signIn.attempt({ ...who, clientAddress: ctx.clientAddress }, check);

@ObjectType()
export class Session {
  @Field(() => String, { description: 'send as `Authorization: Bearer <token>`; the UI gets it as an HttpOnly cookie' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}

@Resolver()
export class AuthResolver {
  @Mutation(() => Session, {
    description: 'INVALID_CREDENTIALS for any wrong name or password; RATE_LIMITED after repeated failures',
  })
  async signIn(
    @Arg('loginName', () => String) loginName: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Session> {
    const { core, readModel } = ctx.services;
    const account = await verifyCredentials(core, loginName, password, signInGuard(ctx));
    // Everything that can fail is done before the session exists: no cookie is ever set on an error.
    const view = await readModel.users.get(account.organizationId, account.id);
    const now = core.clock();
    const user = view ? toUser(view, now) : userOfAccount(account, now);
    const { token, expiresAt } = await openSession(ctx.services, account, summarizeUserAgent(ctx.userAgent));
    ctx.setSessionCookie?.(token, expiresAt);
    return { token, expiresAt, user };
  }

  @Authorized()
  @Mutation(() => Boolean)
  async signOut(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    if (ctx.sessionTokenHash) await ctx.services.readModel.sessions.delete(ctx.sessionTokenHash);
    ctx.clearSessionCookie?.();
    return true;
  }
}
