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
