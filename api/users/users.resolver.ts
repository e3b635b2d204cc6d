import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { createUser, sendWelcomeEmail, sendWelcomeEmails } from '../../core/accounts/onboarding.js';
import { changeEmailAddress } from '../../core/accounts/emailAddresses.js';
import { KeyturnError, badInput } from '../../core/errors.js';
import { normalizeEmail } from '../../core/validation.js';
import type { Position } from '../../core/eventStore/eventStore.js';
import { AuditEventConnection, toAuditEvent } from '../audit/auditEvent.type.js';
import { canRead, requireSignedIn, type SignedIn } from '../auth/authChecker.js';
import type { GraphQLContext } from '../graphql/context.js';
import { pageSize, toConnection } from '../graphql/paging.js';
import { BulkProgress, BulkWelcomeResult } from './bulkWelcome.type.js';
import { CreateUserInput, UserFilter } from './inputs.js';
import { AccountStatus, User, toUser } from './user.type.js';
import { UserConnection } from './userConnection.type.js';

const notFound = () => new KeyturnError('NOT_FOUND', 'No such user.');

@Resolver(() => User)
export class UsersResolver {
  @Authorized()
  @Query(() => User, { nullable: true, description: 'the signed-in user' })
  async me(@Ctx() ctx: GraphQLContext): Promise<User | null> {
    const actor = requireSignedIn(ctx);
    const view = await ctx.services.readModel.users.get(actor.organizationId, actor.accountId);
    return view ? toUser(view, ctx.services.core.clock()) : null;
  }

  @Authorized()
  @Query(() => User, { nullable: true })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return readableUser(ctx, requireSignedIn(ctx), id);
  }

  @Authorized('OFFICE_MANAGER', 'AUDITOR')
  @Query(() => UserConnection)
  async users(
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('status', () => [AccountStatus], { nullable: true }) status?: AccountStatus[],
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<UserConnection> {
    const actor = requireSignedIn(ctx);
    if (search && search.length > 100) throw badInput({ search: ['Search for at most 100 characters.'] });
    const now = ctx.services.core.clock();
    const page = await ctx.services.readModel.users.search({
      organizationId: actor.organizationId,
      search: search?.trim() || undefined,
      status: status,
      first: pageSize(first),
      after: after ?? undefined,
      now,
    });
    return toConnection(page, (v) => toUser(v, now));
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User)
  async createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: GraphQLContext): Promise<User> {
    const actor = requireSignedIn(ctx);
    const { accountId, position } = await createUser(ctx.services.core, requestOf(ctx), {
      organizationId: actor.organizationId,
      name: input.name,
      extension: input.extension,
      email: normalizeEmail(input.email),
      role: input.role,
    });
    return afterWrite(ctx, actor, accountId, position);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, { description: 'CONFLICT when the user already completed setup' })
  async sendWelcomeEmail(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const actor = requireSignedIn(ctx);
    const { position } = await sendWelcomeEmail(ctx.services.core, requestOf(ctx), userId);
    return afterWrite(ctx, actor, userId, position);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => BulkWelcomeResult, {
    description: 'Give exactly one of userIds or allMatching. Returns once the emails are recorded; they go out right after.',
  })
  async sendWelcomeEmails(
    @Ctx() ctx: GraphQLContext,
    @Arg('userIds', () => [ID], { nullable: true }) userIds?: string[],
    @Arg('allMatching', () => UserFilter, { nullable: true }) allMatching?: UserFilter,
  ): Promise<BulkWelcomeResult> {
    const actor = requireSignedIn(ctx);
    const { maxBulk } = ctx.services;
    if ((userIds == null) === (allMatching == null)) {
      throw badInput({ userIds: ['Choose users, or all users matching a filter — one of the two.'] });
    }
    let ids = userIds ?? [];
    if (allMatching) {
      ids = await ctx.services.readModel.users.matchingIds(
        {
          organizationId: actor.organizationId,
          search: allMatching.search?.trim() || undefined,
          status: allMatching.status,
          now: ctx.services.core.clock(),
        },
        maxBulk + 1,
      );
    }
    if (ids.length > maxBulk) {
      throw badInput({ [userIds ? 'userIds' : 'allMatching']: [`Send to at most ${maxBulk} users at once; narrow the selection.`] });
    }
    const outcome = await sendWelcomeEmails(ctx.services.core, requestOf(ctx), actor.organizationId, ids);
    return { bulkId: outcome.bulkId, sent: outcome.sent.length, skipped: outcome.skipped };
  }

  @Authorized('OFFICE_MANAGER', 'AUDITOR')
  @Query(() => BulkProgress, { description: 'how far the emails of one bulk action got' })
  async bulkWelcomeProgress(@Arg('bulkId', () => ID) bulkId: string, @Ctx() ctx: GraphQLContext): Promise<BulkProgress> {
    const actor = requireSignedIn(ctx);
    return ctx.services.readModel.users.bulkProgress(actor.organizationId, bulkId);
  }

  @Authorized()
  @Mutation(() => User, { description: "office managers for their users; anyone for their own" })
  async changeDesignatedEmail(
    @Arg('userId', () => ID) userId: string,
    @Arg('email', () => String) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return changeEmail(ctx, userId, (actor) => ({ type: 'ChangeDesignatedEmail', actor, data: { email: normalizeEmail(email) } }));
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, { description: 'adds a second email, or replaces the one there' })
  async addSecondaryEmail(
    @Arg('userId', () => ID) userId: string,
    @Arg('email', () => String) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return changeEmail(ctx, userId, (actor) => ({ type: 'AddSecondaryEmail', actor, data: { email: normalizeEmail(email) } }));
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User)
  async removeSecondaryEmail(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return changeEmail(ctx, userId, (actor) => ({ type: 'RemoveSecondaryEmail', actor }));
  }

  @FieldResolver(() => AuditEventConnection)
  async history(
    @Root() user: User,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuditEventConnection> {
    const actor = requireSignedIn(ctx);
    if (!canRead(actor, user)) throw notFound();
    const page = await ctx.services.readModel.audit.list({
      organizationId: user.organizationId,
      accountId: user.id,
      first: pageSize(first),
      after: after ?? undefined,
    });
    return toConnection(page, toAuditEvent);
  }
}

export const requestOf = (ctx: GraphQLContext) => ({ actor: ctx.actor, requestId: ctx.requestId });

async function readableUser(ctx: GraphQLContext, actor: SignedIn, id: string): Promise<User> {
  const view = await ctx.services.readModel.users.get(actor.organizationId, id);
  if (!view || !canRead(actor, view)) throw notFound();
  return toUser(view, ctx.services.core.clock());
}

type EmailCommand = Parameters<typeof changeEmailAddress>[3];

/** The three email mutations differ only in their command; the decider holds every rule. */
async function changeEmail(ctx: GraphQLContext, userId: string, command: (actor: SignedIn) => EmailCommand) {
  const actor = requireSignedIn(ctx);
  const { position } = await changeEmailAddress(ctx.services.core, requestOf(ctx), userId, command(actor));
  return afterWrite(ctx, actor, userId, position);
}

/** A mutation answers with the user as it is after its own write: wait for the projection first. */
async function afterWrite(ctx: GraphQLContext, actor: SignedIn, id: string, position: Position | undefined) {
  await ctx.services.projector.waitFor(position);
  return readableUser(ctx, actor, id);
}
