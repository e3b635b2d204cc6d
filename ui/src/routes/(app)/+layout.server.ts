import { error } from '@sveltejs/kit';
import { rolesFor } from '$lib/session';
import type { LayoutServerLoad } from './$types';

/**
 * The role guard of the signed-in area. Thrown here rather than in hooks.server.ts, the refusal is
 * shown by routes/+error.svelte, with the header; the API refuses the same on every operation.
 */
export const load: LayoutServerLoad = async ({ locals, route }) => {
  if (locals.apiUnreachable) error(503, 'Keyturn cannot reach its API right now.');
  const roles = route.id ? rolesFor(route.id) : undefined;
  if (roles && locals.user && !roles.includes(locals.user.role))
    error(403, 'Your role does not give access to this page.');
};
