import { error, redirect } from '@sveltejs/kit';
import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { createGraphQLClient } from './client';
import { problemOf } from './errors';

const statusOf: Record<string, number> = { NOT_FOUND: 404, FORBIDDEN: 403, BAD_USER_INPUT: 400, RATE_LIMITED: 429 };

/**
 * Runs a page's query in its `load` and answers like a page would: not signed in → the sign-in
 * page (and back here after), not found / not allowed → the error page with a sentence.
 */
export async function loadQuery<Data, Variables extends AnyVariables>(
  fetch: typeof globalThis.fetch,
  url: URL,
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data> {
  const result = await createGraphQLClient({ fetch }).query(query, variables).toPromise();
  if (result.data && !result.error) return result.data;
  const problem = problemOf(result.error) ?? { message: 'Something went wrong on our side. Please try again.', fields: {} };
  if (problem.code === 'UNAUTHENTICATED') redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  const fieldMessage = Object.values(problem.fields).flat()[0];
  error(problem.code ? (statusOf[problem.code] ?? 500) : 503, fieldMessage ?? problem.message);
}
