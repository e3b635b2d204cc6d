import { error, redirect } from '@sveltejs/kit';
import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { createGraphQLClient } from './client';
import { problemOf, type Problem } from './errors';

const statusOf: Record<string, number> = { NOT_FOUND: 404, FORBIDDEN: 403, BAD_USER_INPUT: 400, RATE_LIMITED: 429 };

/**
 * Runs a page's query in its `load` and keeps a problem for the page to show in place (a failed
 * search keeps the header and the search box). Not signed in → the sign-in page, and back here after.
 */
export async function loadQueryOrProblem<Data, Variables extends AnyVariables>(
  fetch: typeof globalThis.fetch,
  url: URL,
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<{ data: Data; problem?: undefined } | { data?: undefined; problem: Problem }> {
  const result = await createGraphQLClient({ fetch }).query(query, variables).toPromise();
  if (result.data && !result.error) return { data: result.data };
  const problem = problemOf(result.error) ?? {
    message: 'Something went wrong on our side. Please try again.',
    fields: {},
  };
  if (problem.code === 'UNAUTHENTICATED')
    redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  const fieldMessage = Object.values(problem.fields).flat()[0];
  return { problem: fieldMessage ? { ...problem, message: fieldMessage } : problem };
}

/**
 * Runs a page's query in its `load` and answers like a page would: not found / not allowed → the
 * error page with a sentence (routes/+error.svelte).
 */
export async function loadQuery<Data, Variables extends AnyVariables>(
  fetch: typeof globalThis.fetch,
  url: URL,
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data> {
  const answer = await loadQueryOrProblem(fetch, url, query, variables);
  if (!answer.problem) return answer.data;
  const { code, message } = answer.problem;
  error(code ? (statusOf[code] ?? 500) : 503, message);
}
