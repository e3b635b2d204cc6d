import type { RequestHandler } from 'express';
import type { Logger } from '../../core/logger.js';

export type ReadinessChecks = Record<string, () => Promise<unknown>>;

const withTimeout = (check: () => Promise<unknown>, ms: number) =>
  Promise.race([
    check(),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

/**
 * `GET /readyz`: 200 when every store answers, 503 otherwise — a load balancer stops sending traffic
 * to an instance that cannot reach its stores, while `/healthz` (the process is up) stays green.
 * The answer names the failing check but not its error, which goes to the log.
 */
export function readinessHandler(checks: ReadinessChecks, log: Logger, timeoutMs = 2000): RequestHandler {
  return async (_req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check, timeoutMs);
          return [name, 'ok'] as const;
        } catch (error) {
          log.warn(
            { check: name, err: error instanceof Error ? error.message : String(error) },
            'readiness check failed',
          );
          return [name, 'unreachable'] as const;
        }
      }),
    );
    const ready = results.every(([, status]) => status === 'ok');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) });
  };
}
