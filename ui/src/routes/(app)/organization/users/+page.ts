import { graphql } from '$lib/graphql/graphql';
import { loadQueryOrProblem } from '$lib/graphql/load';
import type { PageLoad } from './$types';
import { apiFilter, statusChoiceOf } from './usersFilter';

const PAGE_SIZE = 25;

const Users = graphql(`
  query Users($search: String, $status: [AccountStatus!], $expiresSoon: Boolean, $first: Int, $after: String) {
    users(search: $search, status: $status, expiresSoon: $expiresSoon, first: $first, after: $after) {
      totalCount
      totalCountIsExact
      edges {
        node {
          id
          name
          extension
          email
          status
          erased
          setupLinkExpiresAt
          lastEmail {
            kind
            status
            error
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    userStatusCounts {
      notInvited
      invited
      expiresSoon
      inviteExpired
      active
      deactivated
    }
  }
`);

/**
 * The address keeps the search, the status filter and the page, so a reload or a shared link shows
 * the same list. A failed search is said in the page, under the search box that is still there.
 */
export const load: PageLoad = async (event) => {
  const { url } = event;
  const q = url.searchParams.get('q')?.trim() ?? '';
  const filter = { q, status: statusChoiceOf(url.searchParams.get('status')) };
  const after = url.searchParams.get('after') ?? undefined;
  const answer = await loadQueryOrProblem(event, Users, { ...apiFilter(filter), first: PAGE_SIZE, after });
  return {
    filter,
    after,
    users: answer.data?.users ?? null,
    // how many users each status option finds, beside its name
    counts: answer.data?.userStatusCounts ?? null,
    problem: answer.problem?.message ?? null,
  };
};
