import type { Page, Route } from 'playwright-core';
import { waitFor } from './waitFor';

export interface HeldOperation {
  /** waits until `count` requests for the operation are held */
  held(count?: number): Promise<void>;
  /** lets the held requests (and every later one) through to the server */
  release(): Promise<void>;
  /** answers the held requests (and every later one) with a GraphQL error, as a failing server would */
  fail(): Promise<void>;
}

/**
 * A slow or failing server on cue: the browser's requests for one GraphQL operation (by name, as
 * written in the page's `query Users(…)`) wait until the test lets them go or fails them.
 */
export async function holdOperation(page: Page, operation: string): Promise<HeldOperation> {
  const pattern = new RegExp(`\\b(query|mutation) ${operation}\\b`);
  const held: Route[] = [];
  let answer: ((route: Route) => Promise<void>) | undefined;
  const handler = async (route: Route) => {
    if (!pattern.test(route.request().postData() ?? '')) return route.fallback();
    if (answer) return answer(route);
    held.push(route);
  };
  await page.route('**/graphql', handler);
  const settle = async (how: (route: Route) => Promise<void>) => {
    answer = how;
    for (const route of held.splice(0)) await how(route);
  };
  return {
    held: (count = 1) =>
      waitFor(() => held.length >= count, { what: () => `${count} ${operation} request(s) from the page` }).then(
        () => undefined,
      ),
    release: () => settle((route) => route.fallback()),
    fail: () =>
      settle((route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({
            errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          }),
        }),
      ),
  };
}

/** The variables of every request for one operation the page sends from now on, in order. */
export function recordOperation(page: Page, operation: string): Record<string, unknown>[] {
  const pattern = new RegExp(`\\b(query|mutation) ${operation}\\b`);
  const seen: Record<string, unknown>[] = [];
  page.on('request', (request) => {
    if (!request.url().endsWith('/graphql') || !pattern.test(request.postData() ?? '')) return;
    seen.push((JSON.parse(request.postData()!) as { variables?: Record<string, unknown> }).variables ?? {});
  });
  return seen;
}

export interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; fields?: Record<string, string[]> } }[];
}

/** One GraphQL request to the service from the test itself, as a script or another device would send it. */
export async function askApi<T = Record<string, unknown>>(
  baseURL: string,
  query: string,
  variables: Record<string, unknown> = {},
  { token, userAgent }: { token?: string; userAgent?: string } = {},
): Promise<GraphQLAnswer<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (userAgent) headers['user-agent'] = userAgent;
  const response = await fetch(`${baseURL}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLAnswer<T>;
}

export interface ApiSession {
  token: string;
  /** a request in this session; errors come back in the answer, not thrown */
  ask<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>>;
  /** true while the session is open: `me` answers instead of UNAUTHENTICATED */
  works(): Promise<boolean>;
}

/** Firefox on Windows: how a session signed in from the test shows in a sessions list. */
export const OTHER_BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** Signs in over the API, as another device of the same person would (its own session). */
export async function signInToApi(
  baseURL: string,
  loginName: string,
  password: string,
  userAgent = OTHER_BROWSER,
): Promise<ApiSession> {
  const answer = await askApi<{ signIn: { token: string } }>(
    baseURL,
    'mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }',
    { l: loginName, p: password },
    { userAgent },
  );
  if (!answer.data) throw new Error(`signing in as ${loginName} failed: ${JSON.stringify(answer.errors)}`);
  const { token } = answer.data.signIn;
  const ask = <T>(query: string, variables: Record<string, unknown> = {}) =>
    askApi<T>(baseURL, query, variables, { token, userAgent });
  return {
    token,
    ask,
    works: async () => {
      const me = await ask<{ me: { id: string } | null }>('{ me { id } }');
      return Boolean(me.data?.me);
    },
  };
}

/** Completes setup with an emailed "Complete Setup" link, over the API. */
export async function completeSetupViaApi(link: string, password: string, voicemailPin: string): Promise<string> {
  const url = new URL(link);
  const answer = await askApi<{ completeSetup: { loginName: string } }>(
    url.origin,
    'mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { loginName } }',
    { i: { token: url.searchParams.get('token'), password, confirmPassword: password, voicemailPin } },
  );
  if (!answer.data) throw new Error(`completing setup failed: ${JSON.stringify(answer.errors)}`);
  return answer.data.completeSetup.loginName;
}
