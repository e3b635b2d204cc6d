import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { EmailProviderError } from './emailSender.js';
import { safeText } from './logSafe.js';
import { backoffMs, RETRY_AFTER_CAP_MS } from './retryDelay.js';

/** 1 s, 2 s, 4 s … 5 min: an outage of the provider costs a handful of requests, not one every 200 ms. */
export const DEFAULT_REACTOR_RETRY = { initialMs: 1000, maxMs: 300_000 };

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const abortableSleep: Sleep = (ms, signal) => sleepFor(ms, undefined, { signal });

export interface RetryOptions {
  retry?: { initialMs: number; maxMs: number };
  sleep?: Sleep;
  signal: AbortSignal;
  log: Logger;
  /** what the log line says about the work, e.g. `{ emails: 500 }` */
  context: Record<string, unknown>;
}

/**
 * Runs `step` until it succeeds, waiting a growing, jittered delay between tries (`failures` counts
 * them, from 0). Postmark's own Retry-After wins over our backoff when it asks for longer. The wait is a
 * timer, so other work on the thread goes on; it rejects only once `signal` aborts.
 */
export async function untilDone<T>(step: (failures: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { initialMs, maxMs } = options.retry ?? DEFAULT_REACTOR_RETRY;
  for (let failures = 0; ;) {
    try {
      return await step(failures);
    } catch (error) {
      if (options.signal.aborted) throw error;
      failures++;
      const retryAfterMs = error instanceof EmailProviderError ? (error.retryAfterMs ?? 0) : 0;
      const delayMs = Math.min(RETRY_AFTER_CAP_MS, Math.max(backoffMs(failures, initialMs, maxMs), retryAfterMs));
      const context = { ...options.context, err: safeText(error), failures, delayMs };
      options.log.warn(context, 'email work not finished; trying it again later');
      await (options.sleep ?? abortableSleep)(delayMs, options.signal);
    }
  }
}
