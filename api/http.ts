import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isKeyturnError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Keyturn } from './keyturn.js';

export const SESSION_COOKIE = 'keyturn_session';

const placeholder = readFileSync(new URL('../ui/placeholder.html', import.meta.url), 'utf8');

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const cookie = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1)) : undefined;
}

const requestIdOf = (req: Request) => {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
};

/**
 * One HTTP server: GraphQL at `/graphql`, health at `/healthz`, the UI at `/`. Apollo's CSRF
 * prevention stays on (a cookie-authenticated request must be a non-simple one).
 */
export function createHttpApp(keyturn: Keyturn, log: Logger, options: { secureCookies: boolean }) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

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
        const requestId = requestIdOf(req);
        res.setHeader('x-request-id', requestId);
        const context = await keyturn.contextFor(bearerToken(req), requestId);
        return {
          ...context,
          setSessionCookie: (token, expiresAt) => setCookie(res, token, expiresAt, options.secureCookies),
          clearSessionCookie: () => setCookie(res, '', new Date(0), options.secureCookies),
        };
      },
    }),
  );

  app.get(/^\/(setup|reset-password|forgot-password|forgot-login-name)?$/, (_req, res) => {
    res.type('html').send(placeholder);
  });

  app.use((error: unknown, _req: Request, res: Response, _next: () => void) => {
    log.error({ err: error instanceof Error ? error.message : String(error) }, 'request failed');
    res.status(500).json({ errors: [{ message: 'Something went wrong on our side.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });
  return app;
}

function setCookie(res: Response, token: string, expiresAt: Date, secure: boolean) {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, expires: expiresAt, path: '/' });
}
