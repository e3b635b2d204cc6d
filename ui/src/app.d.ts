import type { SessionUser } from '$lib/session';

declare global {
  namespace App {
    interface Locals {
      /** resolved from the session cookie in hooks.server.ts; null when not signed in */
      user: SessionUser | null;
      /** the session could not be checked: the API did not answer */
      apiUnreachable: boolean;
    }
    /** adapter-node passes the Node request: the UI server finds its own listening address there */
    interface Platform {
      req: import('node:http').IncomingMessage;
    }
    interface Error {
      message: string;
    }
  }
}

export {};
