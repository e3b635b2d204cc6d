import type { RequestEvent } from '@sveltejs/kit';
import type { AddressInfo } from 'node:net';
import { env } from '$env/dynamic/private';
import { createGraphQLClient } from '$lib/graphql/client';
import { SESSION_COOKIE } from '$lib/session';

/**
 * The API's address as seen from this process. In `npm start` the UI is mounted in the API's own
 * server, so it asks the server it is listening on (over loopback when bound to every interface).
 * `KEYTURN_API_URL` overrides it (e.g. under `vite dev`; the API then believes `X-Forwarded-For`
 * only if its TRUST_PROXY names this process's address).
 */
function apiOrigin(event: RequestEvent): string {
  if (env.KEYTURN_API_URL) return env.KEYTURN_API_URL.replace(/\/+$/, '');
  const server = (event.platform?.req.socket as { server?: { address(): AddressInfo | string | null } } | undefined)?.server;
  const address = server?.address();
  if (!address || typeof address === 'string') return 'http://127.0.0.1:3000';
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** A client that asks the API on behalf of the person making this request (their session only). */
export function apiClientFor(event: RequestEvent) {
  const session = event.cookies.get(SESSION_COOKIE);
  const headers: Record<string, string> = { 'x-forwarded-for': event.getClientAddress() };
  // In `npm start` the API shares this process: its key lets the API believe the browser's address
  // (express's `req.ip`, which follows TRUST_PROXY) instead of seeing every page load as loopback.
  const key = env.KEYTURN_UI_FORWARD_KEY;
  if (key) {
    const req = event.platform?.req as { ip?: string } | undefined;
    headers['x-keyturn-ui-key'] = key;
    headers['x-keyturn-client-address'] = req?.ip ?? event.getClientAddress();
  }
  if (session) headers.cookie = `${SESSION_COOKIE}=${encodeURIComponent(session)}`;
  return createGraphQLClient({ url: `${apiOrigin(event)}/graphql`, fetch: globalThis.fetch, headers });
}
