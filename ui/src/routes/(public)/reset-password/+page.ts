import { graphql } from '$lib/graphql/graphql';
import { loadQuery } from '$lib/graphql/load';
import type { PageLoad } from './$types';

const ResetLink = graphql(`
  query ResetLink($token: String!) {
    resetLink(token: $token) {
      status
      loginName
      extension
      expiresAt
    }
  }
`);

export const load: PageLoad = async (event) => {
  const token = event.url.searchParams.get('token') ?? '';
  if (!token) return { token, link: { status: 'INVALID' as const, loginName: null, extension: null, expiresAt: null } };
  const data = await loadQuery(event, ResetLink, { token });
  return { token, link: data.resetLink };
};
