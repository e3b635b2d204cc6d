import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../core/logger.js';
import { graphqlRoute, sendGraphQLError } from './graphqlHttp.js';
import type { Keyturn } from './keyturn.js';
import { metricsAccess, type MetricsAccessOptions } from './operations/metricsAccess.js';
import { readinessHandler } from './operations/readiness.js';
import type { LimiterFactory } from './rateLimits.js';
import { createRequestLimits, type RequestLimitSettings } from './requestLimits.js';
import { requestLog } from './operations/requestLog.js';
import type { TrustProxy } from './trustProxy.js';
import { postmarkWebhook } from './webhooks/postmarkWebhook.js';

export { SESSION_COOKIE } from './graphqlHttp.js';

export interface HttpAppOptions {
  secureCookies: boolean;
  postmarkWebhook?: { user: string; password: string };
  /** the SvelteKit handler, and the key its server-side calls carry (see `loadUiHandler`) */
  ui?: { handler: RequestHandler; forwardKey?: string };
  /** whose `X-Forwarded-For` to believe; false (the default): the socket's address is the client's */
  trustProxy?: TrustProxy;
  /** GraphQL requests per session and per anonymous client address */
  requestLimits?: Partial<RequestLimitSettings>;
  /** where the request counters live; in memory by default */
  limiters?: LimiterFactory;
  /** who may read `/metrics`; open by default (development) */
  metrics?: MetricsAccessOptions;
}

/**
 * One HTTP server: GraphQL at `/graphql`, health at `/healthz`, the UI at `/`. Apollo's CSRF
 * prevention stays on (a cookie-authenticated request must be a non-simple one).
 */
export function createHttpApp(keyturn: Keyturn, log: Logger, options: HttpAppOptions) {
  const app = express();
  app.disable('x-powered-by');
  // `req.ip` is the throttling key: a forwarded address is believed only from a proxy named here.
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(requestLog(log));
  // First after the log: nearly every request is GraphQL, and each route before it is matched in vain.
  const limits = createRequestLimits(options.requestLimits, options.limiters);
  app.use(
    '/graphql',
    ...graphqlRoute(keyturn, { limits, secureCookies: options.secureCookies, uiForwardKey: options.ui?.forwardKey }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/readyz',
    readinessHandler(
      {
        eventStore: () => keyturn.services.core.store.ping(),
        readStore: () => keyturn.services.readModel.checkpoint(),
      },
      log,
    ),
  );
  app.get('/metrics', metricsAccess(options.metrics ?? { production: false }), async (_req, res) => {
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

  // Whatever the routes above do not answer is the UI (SvelteKit, adapter-node): keep it last.
  if (options.ui) app.use(options.ui.handler);
  else
    app.get('/', (_req, res) =>
      res.status(503).type('text').send('The UI is not built: run `npm run build:ui` (npm start builds it).'),
    );

  // A real fault: the answer and the log line carry the request id, so one leads to the other.
  app.use((error: unknown, _req: Request, res: Response, _next: () => void) => {
    const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
    log.error({ requestId, err: error instanceof Error ? error.message : String(error) }, 'request failed');
    if (res.headersSent) return void res.end();
    sendGraphQLError(
      res,
      500,
      'INTERNAL_SERVER_ERROR',
      'Something went wrong on our side.',
      requestId ? { requestId } : {},
    );
  });
  return app;
}
