import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { createUser, sendWelcomeEmail, sendWelcomeEmails } from '../../core/accounts/onboarding.js';
import { changeEmailAddress, type EmailChange } from '../../core/accounts/emailAddresses.js';
import { isOpen, type AccountState } from '../../core/accounts/account.js';
import { signInGuard } from '../auth/auth.resolver.js';
import { KeyturnError, badInput } from '../../core/errors.js';
import { normalizeEmail } from '../../core/validation.js';
import type { Position } from '../../core/eventStore/eventStore.js';
import { AuditEventConnection, toAuditEvent } from '../audit/auditEvent.type.js';
import { canRead, requireSignedIn, type SignedIn } from '../auth/authChecker.js';
import type { GraphQLContext } from '../graphql/context.js';
import { pageSize, toConnection } from '../graphql/paging.js';
import { BulkProgress, BulkWelcomeResult } from './bulkWelcome.type.js';
import { CreateUserInput, UserFilter } from './inputs.js';
import { AccountStatus, User, UserStatusCounts, toUser, userOfAccount } from './user.type.js';
import { UserConnection } from './userConnection.type.js';
import { selectedUserIds } from './bulkSelection.js';

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
    @Arg('search', () => String, {
      nullable: true,
      description:
        'every word in the name (any part, any case), an extension prefix, or a login name from the "@" on ("100@ac")',
    })
    search?: string,
    @Arg('status', () => [AccountStatus], { nullable: true }) status?: AccountStatus[],
    @Arg('expiresSoon', () => Boolean, {
      nullable: true,
      description: 'only invited users whose link expires within INVITE_REMINDER_BEFORE',
    })
    expiresSoon?: boolean,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<UserConnection> {
    const actor = requireSignedIn(ctx);
    if (search && search.length > 100) throw badInput({ search: ['Search for at most 100 characters.'] });
    // Tabs and line breaks (pasted from a spreadsheet) separate words like spaces; other control
    // characters are never typed by a person.
    if (search && /[^\P{Cc}\t\n\r]/u.test(search)) {
      throw badInput({ search: ['Search for letters, digits and punctuation: this text holds control characters.'] });
    }
    const now = ctx.services.core.clock();
    const page = await ctx.services.readModel.users.search({
      organizationId: actor.organizationId,
      search: search?.trim() || undefined,
      status: status,
      expiresWithinMs: expiresSoon ? ctx.services.expiresSoonMs : undefined,
      first: pageSize(first),
      after: after ?? undefined,
      now,
    });
    return { ...toConnection(page, (v) => toUser(v, now)), totalCountIsExact: page.totalCountIsExact };
  }

  @Authorized('OFFICE_MANAGER', 'AUDITOR')
  @Query(() => UserStatusCounts, { description: 'for the status filter: how many users are in each status' })
  async userStatusCounts(@Ctx() ctx: GraphQLContext): Promise<UserStatusCounts> {
    const actor = requireSignedIn(ctx);
    const now = ctx.services.core.clock();
    const { users } = ctx.services.readModel;
    const [counts, soon] = await Promise.all([
      users.statusCounts(actor.organizationId, now),
      users.search({
        organizationId: actor.organizationId,
        expiresWithinMs: ctx.services.expiresSoonMs,
        first: 1,
        now,
      }),
    ]);
    return {
      notInvited: counts.NOT_INVITED,
      invited: counts.INVITED,
      inviteExpired: counts.INVITE_EXPIRED,
      active: counts.ACTIVE,
      deactivated: counts.DEACTIVATED,
      expiresSoon: soon.totalCount,
    };
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User)
  async createUser(
    @Arg('input', () => CreateUserInput) input: CreateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    const actor = requireSignedIn(ctx);
    const { accountId, position, state } = await createUser(ctx.services.core, requestOf(ctx), {
      organizationId: actor.organizationId,
      name: input.name,
      extension: input.extension,
      email: normalizeEmail(input.email),
      role: input.role,
    });
    return afterWrite(ctx, actor, accountId, position, state);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, { description: 'CONFLICT when the user already completed setup' })
  async sendWelcomeEmail(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const actor = requireSignedIn(ctx);
    const { position, state } = await sendWelcomeEmail(ctx.services.core, requestOf(ctx), userId);
    return afterWrite(ctx, actor, userId, position, state);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => BulkWelcomeResult, {
    description:
      'Give exactly one of userIds or allMatching. Returns once the emails are recorded; they go out right after.',
  })
  async sendWelcomeEmails(
    @Ctx() ctx: GraphQLContext,
    @Arg('userIds', () => [ID], { nullable: true }) userIds?: string[],
    @Arg('allMatching', () => UserFilter, { nullable: true }) allMatching?: UserFilter,
  ): Promise<BulkWelcomeResult> {
    const actor = requireSignedIn(ctx);
    const ids = await selectedUserIds(ctx, actor, userIds, allMatching);
    const outcome = await sendWelcomeEmails(ctx.services.core, requestOf(ctx), actor.organizationId, ids);
    return { bulkId: outcome.bulkId, sent: outcome.sent.length, skipped: outcome.skipped };
  }

  @Authorized('OFFICE_MANAGER', 'AUDITOR')
  @Query(() => BulkProgress, { description: 'how far the emails of one bulk action got' })
  async bulkWelcomeProgress(
    @Arg('bulkId', () => ID) bulkId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BulkProgress> {
    const actor = requireSignedIn(ctx);
    return ctx.services.readModel.users.bulkProgress(actor.organizationId, bulkId);
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      'office managers for their users; anyone for their own, with currentPassword (BAD_USER_INPUT when missing, INVALID_CREDENTIALS when wrong). Links sent to the old address stop working; the old address gets a notice.',
  })
  async changeDesignatedEmail(
    @Arg('userId', () => ID) userId: string,
    @Arg('email', () => String) email: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('currentPassword', () => String, { nullable: true }) currentPassword?: string,
  ): Promise<User> {
    const change = {
      type: 'ChangeDesignatedEmail' as const,
      email: normalizeEmail(email),
      currentPassword: currentPassword ?? undefined,
    };
    return changeEmail(ctx, userId, change);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, { description: 'adds a second email, or replaces the one there' })
  async addSecondaryEmail(
    @Arg('userId', () => ID) userId: string,
    @Arg('email', () => String) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return changeEmail(ctx, userId, { type: 'AddSecondaryEmail', email: normalizeEmail(email) });
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User)
  async removeSecondaryEmail(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return changeEmail(ctx, userId, { type: 'RemoveSecondaryEmail' });
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

export async function readableUser(ctx: GraphQLContext, actor: SignedIn, id: string): Promise<User> {
  const view = await ctx.services.readModel.users.get(actor.organizationId, id);
  if (!view || !canRead(actor, view)) throw notFound();
  return toUser(view, ctx.services.core.clock());
}

/** The three email mutations differ only in their change; the decider holds every rule. */
async function changeEmail(ctx: GraphQLContext, userId: string, change: EmailChange) {
  const actor = requireSignedIn(ctx);
  const { position, state } = await changeEmailAddress(
    ctx.services.core,
    requestOf(ctx),
    userId,
    change,
    signInGuard(ctx),
  );
  return afterWrite(ctx, actor, userId, position, state);
}

/**
 * A mutation answers with the user as it is after its own write, so it waits for the projection. Its
 * events are recorded whatever happens next: should the view not catch up in time, the answer comes
 * from the decided state (the lag is logged), never an error that would invite a retry — a retried
 * welcome email would supersede the link just sent.
 */
export async function afterWrite(
  ctx: GraphQLContext,
  actor: SignedIn,
  id: string,
  position: Position | undefined,
  decided?: AccountState,
): Promise<User> {
  try {
    await ctx.services.projector.waitFor(position);
  } catch (error) {
    ctx.services.log.warn(
      { requestId: ctx.requestId, accountId: id, err: error instanceof Error ? error.message : String(error) },
      'read model behind a recorded write: answering from the decided state',
    );
    if (decided && isOpen(decided) && canRead(actor, decided)) return userOfAccount(decided, ctx.services.core.clock());
  }
  return readableUser(ctx, actor, id);
}
