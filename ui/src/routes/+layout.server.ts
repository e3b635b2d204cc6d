import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, route }) => {
  // Reading the route id makes this load run again on every navigation to another page, so each
  // one goes through hooks.server.ts: an ended session or a page outside the role is caught there.
  void route.id;
  return { user: locals.user };
};
