import { IsOptional, ArrayMaxSize } from 'class-validator';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../core/errors.js';
import { canRead, requireSignedIn } from '../auth/authChecker.js';
import type { GraphQLContext } from '../graphql/context.js';
import { pageSize, toConnection } from '../graphql/paging.js';
import { User, toUser } from '../users/user.type.js';
import { AuditEvent, AuditEventConnection, toAuditEvent } from './auditEvent.type.js';

@InputType()
export class AuditEventFilter {
  @Field(() => ID, { nullable: true })
  userId?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(30)
  types?: string[];

  @Field(() => ID, { nullable: true })
  actorId?: string;

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;
}

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Authorized('OFFICE_MANAGER', 'AUDITOR')
  @Query(() => AuditEventConnection, { description: 'history of the organization, newest first' })
  async auditEvents(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuditEventConnection> {
    const actor = requireSignedIn(ctx);
    if (filter?.from && filter.to && filter.from > filter.to) {
      throw badInput({ from: ['The start date must be before the end date.'] });
    }
    const page = await ctx.services.readModel.audit.list({
      organizationId: actor.organizationId,
      accountId: filter?.userId ?? undefined,
      types: filter?.types ?? undefined,
      actorId: filter?.actorId ?? undefined,
      from: filter?.from ?? undefined,
      to: filter?.to ?? undefined,
      first: pageSize(first),
      after: after ?? undefined,
    });
    return toConnection(page, toAuditEvent);
  }

  @FieldResolver(() => User, { nullable: true, description: 'the account the event is about' })
  async user(@Root() event: AuditEvent, @Ctx() ctx: GraphQLContext): Promise<User | null> {
    return this.lookup(ctx, event.organizationId, event.userId);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'who did it, when a signed-in account did (actorKind ACCOUNT) and the reader may see it',
  })
  async actor(@Root() event: AuditEvent, @Ctx() ctx: GraphQLContext): Promise<User | null> {
    return this.lookup(ctx, event.organizationId, event.actorId);
  }

  private async lookup(ctx: GraphQLContext, organizationId: string, id: string | undefined) {
    const actor = requireSignedIn(ctx);
    if (!id || actor.organizationId !== organizationId) return null;
    const view = await ctx.services.readModel.users.get(organizationId, id);
    // The names are in the entry already; the account itself only for those who may read it.
    return view && canRead(actor, view) ? toUser(view, ctx.services.core.clock()) : null;
  }
}
