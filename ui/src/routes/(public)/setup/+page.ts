import { graphql } from '$lib/graphql/graphql';
import { loadQuery } from '$lib/graphql/load';
import type { PageLoad } from './$types';

const SetupLink = graphql(`
  query SetupLink($token: String!) {
    setupLink(token: $token) {
      status
      loginName
      extension
      expiresAt
    }
  }
`);

// Looking at the link consumes nothing (mail scanners open links too); only Save uses it.
export const load: PageLoad = async (event) => {
  const token = event.url.searchParams.get('token') ?? '';
  if (!token) return { token, link: { status: 'INVALID' as const, loginName: null, extension: null, expiresAt: null } };
  const data = await loadQuery(event, SetupLink, { token });
  return { token, link: data.setupLink };
};
