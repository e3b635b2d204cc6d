import type { RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../core/logger.js';

const handlerFile = fileURLToPath(new URL('../ui/build/handler.js', import.meta.url));

/**
 * The SvelteKit UI as express middleware: adapter-node's `handler` from `ui/build` (built by
 * `npm run build:ui`; `npm start` builds it when missing or stale). Undefined when there is no build,
 * so the API still runs, e.g. for API-only tests.
 */
export async function loadUiHandler(log: Logger): Promise<RequestHandler | undefined> {
  if (!existsSync(handlerFile)) {
    log.warn({ expected: handlerFile }, 'the UI is not built: run `npm run build:ui` (npm start does it)');
    return undefined;
  }
  const module = (await import(pathToFileURL(handlerFile).href)) as { handler: RequestHandler };
  return module.handler;
}
