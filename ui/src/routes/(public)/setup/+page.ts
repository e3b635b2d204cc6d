import { error } from '@sveltejs/kit';
import { createGraphQLClient } from '$lib/graphql/client';
import { problemOf } from '$lib/graphql/errors';
import { graphql } from '$lib/graphql/graphql';
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
export const load: PageLoad = async ({ url, fetch }) => {
  const token = url.searchParams.get('token') ?? '';
  if (!token) return { token, link: { status: 'INVALID' as const, loginName: null, extension: null, expiresAt: null } };
  const result = await createGraphQLClient({ fetch }).query(SetupLink, { token }).toPromise();
  if (!result.data) error(503, problemOf(result.error)?.message ?? 'Please try again.');
  return { token, link: result.data.setupLink };
};
