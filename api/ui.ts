import type { RequestHandler } from 'express';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../core/logger.js';

// From the sources (`api/ui.ts`) or the compiled image (`dist/api/ui.js`): the first that exists.
const handlerFile =
  ['../ui/build/handler.js', '../../ui/build/handler.js']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((file) => existsSync(file)) ?? fileURLToPath(new URL('../ui/build/handler.js', import.meta.url));

/**
 * The SvelteKit UI as express middleware: adapter-node's `handler` from `ui/build` (built by
 * `npm run build:ui`; `npm start` builds it when missing or stale). Undefined when there is no build,
 * so the API still runs, e.g. for API-only tests.
 */
export async function loadUiHandler(log: Logger): Promise<UiHandler | undefined> {
  if (!existsSync(handlerFile)) {
    log.warn({ expected: handlerFile }, 'the UI is not built: run `npm run build:ui` (npm start does it)');
    return undefined;
  }
  // The UI's server side calls this process's GraphQL over loopback on behalf of each browser. A key
  // that only this process knows lets the API believe the client address it names (throttling keys)
  // without trusting loopback proxies in general. SvelteKit reads its private env once, at import.
  const forwardKey = randomBytes(32).toString('base64url');
  process.env[UI_FORWARD_KEY_ENV] = forwardKey;
  const module = (await import(pathToFileURL(handlerFile).href)) as { handler: RequestHandler };
  return { handler: module.handler, forwardKey };
}

export const UI_FORWARD_KEY_ENV = 'KEYTURN_UI_FORWARD_KEY';

export interface UiHandler {
  handler: RequestHandler;
  /** sent by the UI's server side with the browser's address (`x-keyturn-client-address`) */
  forwardKey: string;
}
