import { error } from '@sveltejs/kit';
import { createGraphQLClient } from '$lib/graphql/client';
import { problemOf } from '$lib/graphql/errors';
import { graphql } from '$lib/graphql/graphql';
import type { PageLoad } from './$types';

const ResetLink = graphql(`
  query ResetLink($token: String!) {
    resetLink(token: $token) {
      status
      loginName
      extension
    }
  }
`);

export const load: PageLoad = async ({ url, fetch }) => {
  const token = url.searchParams.get('token') ?? '';
  if (!token) return { token, link: { status: 'INVALID' as const, loginName: null, extension: null } };
  const result = await createGraphQLClient({ fetch }).query(ResetLink, { token }).toPromise();
  if (!result.data) error(503, problemOf(result.error)?.message ?? 'Please try again.');
  return { token, link: result.data.resetLink };
};
