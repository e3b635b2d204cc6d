import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

export interface MetricsAccessOptions {
  /** `METRICS_TOKEN`: when set, `/metrics` wants `Authorization: Bearer <token>` in every environment */
  token?: string;
  /** without a token: 404 in production (nothing to scrape), open in development */
  production: boolean;
}

// Hashing first makes both sides one length, so the comparison takes the same time whatever is sent.
const digest = (value: string) => createHash('sha256').update(value).digest();
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

/**
 * Who may read `/metrics`. The numbers describe traffic and email volume, and the route spends
 * reads on the stores: not for the public.
 */
export function metricsAccess({ token, production }: MetricsAccessOptions): RequestHandler {
  return (req, res, next) => {
    if (!token) {
      if (!production) return next();
      return void res.status(404).type('text').send('Not found.');
    }
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (given && sameSecret(given, token)) return next();
    res
      .status(401)
      .set('www-authenticate', 'Bearer realm="metrics"')
      .type('text')
      .send('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.');
  };
}
