import { Arg, Authorized, Ctx, Field, Mutation, ObjectType, Resolver } from 'type-graphql';
import { normalizeLoginName, verifyCredentials } from '../../core/accounts/signIn.js';
import { KeyturnError, isKeyturnError } from '../../core/errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { User, toUser } from '../users/user.type.js';
import { openSession } from './sessions.js';

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
  @Mutation(() => Session, { description: 'INVALID_CREDENTIALS for any wrong name or password; RATE_LIMITED after repeated failures' })
  async signIn(
    @Arg('loginName', () => String) loginName: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Session> {
    const { limits, core, readModel } = ctx.services;
    const key = normalizeLoginName(loginName).slice(0, 80);
    await limits.assertSignInAllowed(key);
    let account;
    try {
      account = await verifyCredentials(core, loginName.slice(0, 80), password.slice(0, 256));
    } catch (error) {
      if (isKeyturnError(error, 'INVALID_CREDENTIALS')) await limits.signInFailed(key);
      throw error;
    }
    await limits.signInSucceeded(key);
    const { token, expiresAt } = await openSession(ctx.services, account);
    ctx.setSessionCookie?.(token, expiresAt);
    const view = await readModel.users.get(account.organizationId, account.id);
    if (!view) throw new KeyturnError('INVALID_CREDENTIALS', 'The login name or password is not right.');
    return { token, expiresAt, user: toUser(view, core.clock()) };
  }

  @Authorized()
  @Mutation(() => Boolean)
  async signOut(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    if (ctx.sessionTokenHash) await ctx.services.readModel.sessions.delete(ctx.sessionTokenHash);
    ctx.clearSessionCookie?.();
    return true;
  }
}
