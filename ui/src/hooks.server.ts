import { error, redirect, type Handle, type RequestEvent } from '@sveltejs/kit';
import { apiClientFor } from '$lib/server/api';
import { MeQuery, SESSION_COOKIE, homeOf, rolesFor, type SessionUser } from '$lib/session';

async function resolveUser(event: RequestEvent): Promise<SessionUser | null> {
  if (!event.cookies.get(SESSION_COOKIE)) return null;
  const result = await apiClientFor(event).query(MeQuery, {}).toPromise();
  if (result.error?.networkError) error(503, 'Keyturn cannot reach its API right now. Please try again in a moment.');
  const user = result.data?.me ?? null;
  // An ended or unknown session: drop the cookie so the next request does not ask again.
  if (!user) {
    event.cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: event.url.protocol === 'https:' });
  }
  return user;
}

/** Resolves the signed-in user from the session cookie and keeps each area to the roles it is for. */
export const handle: Handle = async ({ event, resolve }) => {
  const user = await resolveUser(event);
  event.locals.user = user;
  const routeId = event.route.id;
  if (routeId) {
    const roles = rolesFor(routeId);
    if (roles && !user) {
      redirect(303, `/sign-in?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
    }
    if (roles && user && !roles.includes(user.role)) error(403, 'Your role does not give access to this page.');
    if (user && (routeId === '/(public)/sign-in' || routeId === '/')) redirect(303, homeOf(user.role));
    if (!user && routeId === '/') redirect(303, '/sign-in');
  }
  return resolve(event);
};
