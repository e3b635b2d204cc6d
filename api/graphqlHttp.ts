import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { isKeyturnError } from '../core/errors.js';
import { sessionLookup } from './auth/sessions.js';
import type { GraphQLContext } from './graphql/context.js';
import type { Keyturn } from './keyturn.js';
import { requestIdOf } from './operations/requestLog.js';
import type { RequestLimits } from './requestLimits.js';

export const SESSION_COOKIE = 'keyturn_session';

/** Documented in the README ("Limits"): far above any real operation, whose data travels in variables. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** a 5 MB spreadsheet import, JSON-escaped, with room to spare */
export const MAX_SIGNED_IN_BODY_BYTES = 8 * 1024 * 1024;

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const cookie = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) return undefined;
  try {
    return decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1));
  } catch {
    return undefined; // a malformed cookie is no session, not a fault
  }
}

/** A refusal shaped like any GraphQL answer, so clients read every error the same way. */
export function sendGraphQLError(
  res: Response,
  status: number,
  code: string,
  message: string,
  extensions: object = {},
) {
  res.status(status).json({ errors: [{ message, extensions: { code, ...extensions } }] });
}

const bodyRefusals: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'BAD_REQUEST', 'The request body is not valid JSON, or not a JSON object.'],
  'encoding.unsupported': [
    415,
    'BAD_REQUEST',
    'This content encoding is not supported; send the body as plain or gzip-compressed JSON.',
  ],
  'charset.unsupported': [415, 'BAD_REQUEST', 'Send the request body as UTF-8.'],
};

/**
 * The GraphQL route, in this order: who is calling (the one session lookup of the request, the same
 * as `keyturn.contextFor` but with the session record remembered briefly), their
 * request budget, then the body (at most 1 MB; 8 MB for a signed-in caller, whose spreadsheet import
 * may be 5 MB), then Apollo. The budget comes before the body so a
 * caller over it costs no parsing.
 */
export function graphqlRoute(
  keyturn: Keyturn,
  options: { limits: RequestLimits; secureCookies: boolean; uiForwardKey?: string },
): (RequestHandler | ErrorRequestHandler)[] {
  const clientAddressOf = uiClientAddress(options.uiForwardKey);
  // One per app: the route's session records, remembered for a second (see `sessionLookup`).
  const sessions = sessionLookup(keyturn.services);
  const identify: RequestHandler = async (req, res, next) => {
    // Every answer here is about someone, refusals included: never kept by a browser or a proxy.
    res.setHeader('cache-control', 'no-store');
    // set by the request log; the fallback keeps this usable without it
    const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : requestIdOf(req);
    const clientAddress = clientAddressOf(req);
    const { actor, tokenHash, sessionId } = await sessions.callerOf(bearerToken(req));
    const context: GraphQLContext = {
      actor,
      sessionTokenHash: tokenHash,
      sessionId,
      requestId,
      clientAddress,
      userAgent: req.headers['user-agent'],
      services: sessions.services,
    };
    res.locals.graphqlContext = context;
    const caller =
      context.actor.kind === 'account' && context.sessionTokenHash
        ? ({ kind: 'session', tokenHash: context.sessionTokenHash } as const)
        : ({ kind: 'address', address: clientAddress } as const);
    try {
      await options.limits.consume(caller);
    } catch (error) {
      if (!isKeyturnError(error, 'RATE_LIMITED') || !error.retryAfterSeconds) throw error;
      res.setHeader('retry-after', String(error.retryAfterSeconds));
      return sendGraphQLError(res, 429, 'RATE_LIMITED', error.message, { retryAfterSeconds: error.retryAfterSeconds });
    }
    next();
  };

  const anonymousJson = express.json({ limit: MAX_BODY_BYTES });
  const signedInJson = express.json({ limit: MAX_SIGNED_IN_BODY_BYTES });
  const parseBody: RequestHandler = (req, res, next) =>
    ((res.locals.graphqlContext as GraphQLContext).actor.kind === 'account' ? signedInJson : anonymousJson)(
      req,
      res,
      next,
    );

  const refuseBody: ErrorRequestHandler = (error: { type?: unknown; status?: unknown }, _req, res, next) => {
    if (error.type === 'entity.too.large') {
      const limit =
        (res.locals.graphqlContext as GraphQLContext).actor.kind === 'account'
          ? MAX_SIGNED_IN_BODY_BYTES
          : MAX_BODY_BYTES;
      return sendGraphQLError(
        res,
        413,
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than ${limit / 1024 / 1024} MB.`,
      );
    }
    const refusal = typeof error.type === 'string' ? bodyRefusals[error.type] : undefined;
    if (refusal) return sendGraphQLError(res, ...refusal);
    // anything else the body parser calls a client's fault (an aborted upload, a bad length)
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      return sendGraphQLError(res, error.status, 'BAD_REQUEST', 'The request body could not be read.');
    }
    next(error);
  };

  const apollo = expressMiddleware(keyturn.graphql, {
    context: async ({ res }) => {
      const context = res.locals.graphqlContext as GraphQLContext;
      return {
        ...context,
        setSessionCookie: (token, expiresAt) => setCookie(res, token, expiresAt, options.secureCookies),
        clearSessionCookie: () => setCookie(res, '', new Date(0), options.secureCookies),
      };
    },
  });

  return [identify, parseBody, refuseBody, apollo];
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The client's address: the socket's (or the trusted proxy's word, `req.ip`), unless the request is
 * the in-process UI's server side asking for a browser — it proves that with the process's key.
 */
function uiClientAddress(forwardKey: string | undefined) {
  const expected = forwardKey ? digest(forwardKey) : undefined;
  return (req: Request): string => {
    const key = req.headers['x-keyturn-ui-key'];
    const named = req.headers['x-keyturn-client-address'];
    if (expected && typeof key === 'string' && typeof named === 'string' && timingSafeEqual(digest(key), expected)) {
      if (named.length > 0 && named.length <= 64) return named;
    }
    return req.ip ?? 'unknown';
  };
}

function setCookie(res: Response, token: string, expiresAt: Date, secure: boolean) {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, expires: expiresAt, path: '/' });
}
