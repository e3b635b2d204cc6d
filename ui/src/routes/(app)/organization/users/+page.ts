import { graphql } from '$lib/graphql/graphql';
import { loadQueryOrProblem } from '$lib/graphql/load';
import type { AccountStatus } from '$lib/status';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

const Users = graphql(`
  query Users($search: String, $status: [AccountStatus!], $first: Int, $after: String) {
    users(search: $search, status: $status, first: $first, after: $after) {
      totalCount
      edges {
        node {
          id
          name
          extension
          email
          status
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
  }
`);

const statuses: readonly AccountStatus[] = ['NOT_INVITED', 'INVITED', 'INVITE_EXPIRED', 'ACTIVE'];
const statusParam = (value: string | null) => statuses.find((s) => s === value);

/**
 * The address keeps the search, the status filter and the page, so a reload or a shared link shows
 * the same list. A failed search is said in the page, under the search box that is still there.
 */
export const load: PageLoad = async ({ url, fetch }) => {
  const q = url.searchParams.get('q')?.trim() ?? '';
  const status = statusParam(url.searchParams.get('status'));
  const after = url.searchParams.get('after') ?? undefined;
  const answer = await loadQueryOrProblem(fetch, url, Users, {
    search: q || undefined,
    status: status ? [status] : undefined,
    first: PAGE_SIZE,
    after,
  });
  return { filter: { q, status }, after, users: answer.data?.users ?? null, problem: answer.problem?.message ?? null };
};
