import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import {
  changeExtension,
  deactivateUser,
  deactivateUsers,
  eraseUser,
  reactivateUser,
  signOutEverywhere,
  updateUser,
} from '../../core/accounts/movers.js';
import { sendPinResetEmail } from '../../core/accounts/selfService.js';
import { requireSignedIn } from '../auth/authChecker.js';
import type { GraphQLContext } from '../graphql/context.js';
import { BulkResult } from './bulkWelcome.type.js';
import { selectedUserIds } from './bulkSelection.js';
import { UpdateUserInput, UserFilter } from './inputs.js';
import { User } from './user.type.js';
import { afterWrite, requestOf } from './users.resolver.js';

/** Movers and leavers: the office manager's other half of the job. Every rule lives in the decider. */
@Resolver()
export class LifecycleResolver {
  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, { description: 'CONFLICT when it would demote the last active office manager' })
  async updateUser(
    @Arg('userId', () => ID) userId: string,
    @Arg('input', () => UpdateUserInput) input: UpdateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    const actor = requireSignedIn(ctx);
    const change = { name: input.name ?? undefined, role: input.role ?? undefined };
    const { position, state } = await updateUser(ctx.services.core, requestOf(ctx), userId, change);
    return afterWrite(ctx, actor, userId, position, state);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, {
    description: 'the login name becomes <extension>@<domain> at once; CONFLICT when the extension is taken',
  })
  async changeExtension(
    @Arg('userId', () => ID) userId: string,
    @Arg('extension', () => String) extension: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    const actor = requireSignedIn(ctx);
    const { position, state } = await changeExtension(ctx.services.core, requestOf(ctx), userId, extension.trim());
    return afterWrite(ctx, actor, userId, position, state);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, {
    description: 'ends every session and kills every link; CONFLICT for yourself or the last office manager',
  })
  async deactivateUser(
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<User> {
    const actor = requireSignedIn(ctx);
    const { position, state } = await deactivateUser(ctx.services.core, requestOf(ctx), userId, reason ?? undefined);
    return afterWrite(ctx, actor, userId, position, state);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, {
    description: 'back to ACTIVE, or NOT_INVITED if setup was never completed; old links stay dead',
  })
  async reactivateUser(
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<User> {
    const actor = requireSignedIn(ctx);
    const { position, state } = await reactivateUser(ctx.services.core, requestOf(ctx), userId, reason ?? undefined);
    return afterWrite(ctx, actor, userId, position, state);
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => BulkResult, {
    description:
      'Give exactly one of userIds or allMatching. The caller and the last office manager are skipped with a reason.',
  })
  async deactivateUsers(
    @Ctx() ctx: GraphQLContext,
    @Arg('userIds', () => [ID], { nullable: true }) userIds?: string[],
    @Arg('allMatching', () => UserFilter, { nullable: true }) allMatching?: UserFilter,
  ): Promise<BulkResult> {
    const actor = requireSignedIn(ctx);
    const ids = await selectedUserIds(ctx, actor, userIds, allMatching);
    const outcome = await deactivateUsers(ctx.services.core, requestOf(ctx), actor.organizationId, ids);
    await ctx.services.projector.waitFor(outcome.position).catch(() => undefined);
    return { done: outcome.done.length, skipped: outcome.skipped };
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => Boolean, {
    description:
      'deletes the personal data of a deactivated user for good (crypto-shredding); confirmName must be their current name. The history keeps its shape.',
  })
  async eraseUser(
    @Arg('userId', () => ID) userId: string,
    @Arg('confirmName', () => String) confirmName: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    const { position } = await eraseUser(ctx.services.core, requestOf(ctx), userId, confirmName);
    await ctx.services.projector.waitFor(position).catch(() => undefined);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'ends every session of the user: yourself, or an office manager for their users',
  })
  async signOutEverywhere(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    // The sessions end by the projector's reaction to SignedOutEverywhere; waiting for it makes the answer true.
    const { position } = await signOutEverywhere(ctx.services.core, requestOf(ctx), userId);
    await ctx.services.projector.waitFor(position).catch(() => undefined);
    return true;
  }

  @Authorized('OFFICE_MANAGER')
  @Mutation(() => User, {
    description: 'emails a link to choose a new voicemail PIN; CONFLICT before setup or while deactivated',
  })
  async sendPinResetEmail(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const actor = requireSignedIn(ctx);
    const { position, state } = await sendPinResetEmail(ctx.services.core, requestOf(ctx), userId);
    return afterWrite(ctx, actor, userId, position, state);
  }
}
