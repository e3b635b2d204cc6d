import { browser } from '$app/environment';
import { goto } from '$app/navigation';
import { page } from '$app/state';
import { createGraphQLClient } from '$lib/graphql/client';
import type { LayoutLoad } from './$types';

// Pages render in the browser: times are shown in the reader's own time zone and relative times
// ("expires in 3 h 12 min") count from the reader's clock. The server still resolves the session and
// applies the role guard (hooks.server.ts) before any page or page data is sent.
export const ssr = false;

/**
 * The one client of a visit. In the browser this module is evaluated once per visit (one person,
 * one tab): the client made here serves every load and every component until the tab closes. An
 * ended session leads to the sign-in page — except for a load's own query, whose load redirects.
 */
const visitClient = browser
  ? createGraphQLClient({
      onSignedOut: () => {
        if (page.url.pathname !== '/sign-in')
          void goto(`/sign-in?next=${encodeURIComponent(page.url.pathname + page.url.search)}`);
      },
    })
  : undefined;

/**
 * Loads reach the client through `parent()` (`$lib/graphql/load.ts`), components through the context
 * the root layout sets. Were pages rendered on the server, each request would get its own client on
 * SvelteKit's `fetch`, which carries that request's cookie.
 */
export const load: LayoutLoad = ({ data, fetch }) => ({
  ...data,
  client: visitClient ?? createGraphQLClient({ fetch }),
});
