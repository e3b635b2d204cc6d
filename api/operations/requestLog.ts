import type { Request, RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger.js';

/** The caller's `x-request-id` when it looks like one, else a new id. */
export const requestIdOf = (req: Request) => {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
};

// Probes hit these every few seconds; only their failures are worth a line.
const probes = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One JSON line per request: id, method, path, status, duration. Deliberately nothing else — no
 * query string (links carry tokens there), no headers (authorization, cookies), no bodies (passwords).
 * The id is echoed in `x-request-id` and handed to GraphQL through `res.locals.requestId`.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    // 'close' follows 'finish' on every response, and comes alone when the client went away first.
    res.once('close', () => {
      const url = req.originalUrl;
      const query = url.indexOf('?');
      const path = query < 0 ? url : url.slice(0, query);
      const status = res.writableFinished ? res.statusCode : 499;
      if (probes.has(path) && status < 400) return;
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      const entry = { requestId, method: req.method, path, status, durationMs };
      if (status >= 500) log.error(entry, 'request');
      else log.info(entry, 'request');
    });
    next();
  };
}
