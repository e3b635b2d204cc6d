import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { isKeyturnError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Keyturn } from './keyturn.js';
import { readinessHandler } from './operations/readiness.js';
import { requestIdOf, requestLog } from './operations/requestLog.js';
import { postmarkWebhook } from './webhooks/postmarkWebhook.js';

export const SESSION_COOKIE = 'keyturn_session';

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const cookie = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1)) : undefined;
}

/**
 * One HTTP server: GraphQL at `/graphql`, health at `/healthz`, the UI at `/`. Apollo's CSRF
 * prevention stays on (a cookie-authenticated request must be a non-simple one).
 */
export function createHttpApp(
  keyturn: Keyturn,
  log: Logger,
  options: { secureCookies: boolean; postmarkWebhook?: { user: string; password: string }; ui?: RequestHandler },
) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLog(log));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/readyz',
    readinessHandler({ eventStore: () => keyturn.services.core.store.ping(), readStore: () => keyturn.services.readModel.checkpoint() }, log),
  );
  app.get('/metrics', async (_req, res) => {
    res.type(keyturn.metrics.registry.contentType).send(await keyturn.metrics.registry.metrics());
  });
  app.use(
    postmarkWebhook({
      store: keyturn.services.core.store,
      clock: keyturn.services.core.clock,
      log,
      credentials: options.postmarkWebhook,
      onOutcome: (recordType, outcome) => keyturn.metrics.providerReport(recordType, outcome),
    }),
  );

  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    async (req, res, next) => {
      try {
        await keyturn.services.limits.request(req.ip ?? 'unknown');
        next();
      } catch (error) {
        if (!isKeyturnError(error, 'RATE_LIMITED')) return next(error);
        res.status(429).json({ errors: [{ message: error.message, extensions: { code: 'RATE_LIMITED' } }] });
      }
    },
    expressMiddleware(keyturn.graphql, {
      context: async ({ req, res }) => {
        // set by the request log; the fallback keeps this usable without it
        const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : requestIdOf(req);
        const context = await keyturn.contextFor(bearerToken(req), requestId);
        return {
          ...context,
          setSessionCookie: (token, expiresAt) => setCookie(res, token, expiresAt, options.secureCookies),
          clearSessionCookie: () => setCookie(res, '', new Date(0), options.secureCookies),
        };
      },
    }),
  );

  // Whatever the routes above do not answer is the UI (SvelteKit, adapter-node): keep it last.
  if (options.ui) app.use(options.ui);
  else app.get('/', (_req, res) => res.status(503).type('text').send('The UI is not built: run `npm run build:ui` (npm start builds it).'));

  app.use((error: unknown, _req: Request, res: Response, _next: () => void) => {
    log.error({ err: error instanceof Error ? error.message : String(error) }, 'request failed');
    res.status(500).json({ errors: [{ message: 'Something went wrong on our side.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });
  return app;
}

function setCookie(res: Response, token: string, expiresAt: Date, secure: boolean) {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, expires: expiresAt, path: '/' });
}
