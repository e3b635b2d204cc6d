import { Client, fetchExchange, mapExchange, type CombinedError } from '@urql/core';

export interface ClientOptions {
  /** `/graphql` in the browser; the API's own address when the UI server calls it */
  url?: string;
  fetch?: typeof globalThis.fetch;
  /** headers for every request, e.g. the incoming cookie when the UI server asks on a user's behalf */
  headers?: Record<string, string>;
  /**
   * told about every error that means the session is gone, so the page can send the person to sign
   * in; not for an operation sent with the context `{ handlesSignOut: true }` (a load redirects itself)
   */
  onSignedOut?: (error: CombinedError) => void;
}

/**
 * The one way the UI talks to the API. The exchange order is the whole configuration: errors are
 * looked at first, then the request goes over `fetch`. No cache exchange — an admin screen must show
 * what the server holds now, and every screen asks once per visit.
 *
 * Every request is a JSON POST: the API's CSRF prevention refuses "simple" requests (GET or form
 * posts), and the session cookie is SameSite=Strict and HttpOnly, so the browser alone carries it.
 */
export function createGraphQLClient(options: ClientOptions = {}) {
  return new Client({
    url: options.url ?? '/graphql',
    fetch: options.fetch,
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => ({
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...options.headers },
    }),
    exchanges: [
      mapExchange({
        onError(error, operation) {
          if (operation.context.handlesSignOut) return;
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) options.onSignedOut?.(error);
        },
      }),
      fetchExchange,
    ],
  });
}

export type GraphQLClient = ReturnType<typeof createGraphQLClient>;
