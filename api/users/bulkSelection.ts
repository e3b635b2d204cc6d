import { badInput } from '../../core/errors.js';
import type { SignedIn } from '../auth/authChecker.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { UserFilter } from './inputs.js';

/**
 * The users a bulk action applies to: the ids given, or every user matching a filter (as the list
 * shows them), never more than `maxBulk`. One of the two, never both.
 */
export async function selectedUserIds(
  ctx: GraphQLContext,
  actor: SignedIn,
  userIds: string[] | null | undefined,
  allMatching: UserFilter | null | undefined,
): Promise<string[]> {
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
        expiresWithinMs: allMatching.expiresSoon ? ctx.services.expiresSoonMs : undefined,
        now: ctx.services.core.clock(),
      },
      maxBulk + 1,
    );
  }
  if (ids.length > maxBulk) {
    throw badInput({
      [userIds ? 'userIds' : 'allMatching']: [`Choose at most ${maxBulk} users at once; narrow the selection.`],
    });
  }
  return ids;
}
