import { redirect, type Handle, type RequestEvent } from '@sveltejs/kit';
import { apiClientFor } from '$lib/server/api';
import { MeQuery, SESSION_COOKIE, homeOf, rolesFor, type SessionUser } from '$lib/session';

async function resolveUser(event: RequestEvent): Promise<{ user: SessionUser | null; apiUnreachable: boolean }> {
  if (!event.cookies.get(SESSION_COOKIE)) return { user: null, apiUnreachable: false };
  const result = await apiClientFor(event).query(MeQuery, {}).toPromise();
  // Not known either way: keep the cookie, and let the page say so (routes/(app)/+layout.server.ts).
  if (result.error?.networkError) return { user: null, apiUnreachable: true };
  const user = result.data?.me ?? null;
  // An ended or unknown session: drop the cookie so the next request does not ask again.
  if (!user) {
    event.cookies.delete(SESSION_COOKIE, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: event.url.protocol === 'https:',
    });
  }
  return { user, apiUnreachable: false };
}

/**
 * Resolves the signed-in user from the session cookie and sends people without one to sign in.
 * Refusals (a role without access, an unreachable API) are thrown by the (app) layout's load, so
 * they show on the error page with the header, not on the bare fallback page.
 */
export const handle: Handle = async ({ event, resolve }) => {
  const { user, apiUnreachable } = await resolveUser(event);
  event.locals.user = user;
  event.locals.apiUnreachable = apiUnreachable;
  const routeId = event.route.id;
  if (routeId && !apiUnreachable) {
    if (rolesFor(routeId) && !user) {
      redirect(303, `/sign-in?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
    }
    if (user && (routeId === '/(public)/sign-in' || routeId === '/')) redirect(303, homeOf(user.role));
    if (!user && routeId === '/') redirect(303, '/sign-in');
  }
  return resolve(event);
};
