import { error, redirect } from '@sveltejs/kit';
import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import type { GraphQLClient } from './client';
import { problemOf, type Problem } from './errors';

const statusOf: Record<string, number> = { NOT_FOUND: 404, FORBIDDEN: 403, BAD_USER_INPUT: 400, RATE_LIMITED: 429 };

/** What a `load` needs of its event: the address, and the root layout's data holding the one client. */
export interface QueryLoadEvent {
  url: URL;
  parent: () => Promise<{ client: GraphQLClient }>;
  untrack: <T>(fn: () => T) => T;
}

/**
 * The client the root layout made (routes/+layout.ts). Untracked: it is the same client for the whole
 * visit, and a tracked `parent()` would run every load again on every navigation (the root layout's
 * server load runs each time, for the role guard).
 */
const clientOf = async (event: QueryLoadEvent) => (await event.untrack(() => event.parent())).client;

/**
 * Runs a page's query in its `load` and keeps a problem for the page to show in place (a failed
 * search keeps the header and the search box). Not signed in → the sign-in page, and back here after.
 */
export async function loadQueryOrProblem<Data, Variables extends AnyVariables>(
  event: QueryLoadEvent,
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<{ data: Data; problem?: undefined } | { data?: undefined; problem: Problem }> {
  const client = await clientOf(event);
  // This load sends the person to sign in itself, back to the page asked for, not the one left.
  const result = await client.query(query, variables, { handlesSignOut: true }).toPromise();
  if (result.data && !result.error) return { data: result.data };
  const problem = problemOf(result.error) ?? {
    message: 'Something went wrong on our side. Please try again.',
    fields: {},
  };
  const { url } = event;
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
  event: QueryLoadEvent,
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data> {
  const answer = await loadQueryOrProblem(event, query, variables);
  if (!answer.problem) return answer.data;
  const { code, message } = answer.problem;
  error(code ? (statusOf[code] ?? 500) : 503, message);
}
