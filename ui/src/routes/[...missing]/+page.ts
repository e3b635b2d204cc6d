import { error } from '@sveltejs/kit';

// Every address no other route matches: through a route, the layouts load (and who is signed in
// with them), so the error page shows the same header as the page the person came from.
export const load = () => error(404, 'Not Found');
