/**
 * Exponential backoff with "equal jitter" (half fixed, half random), so senders that failed together
 * do not come back together. `failures` counts the failures in a row, from 1.
 */
export function backoffMs(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** A provider's `Retry-After` of an hour or more is taken as an hour: a misread header must not park email for days. */
export const RETRY_AFTER_CAP_MS = 3_600_000;

/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds from `now`: delay-seconds or an HTTP-date.
 * Undefined when absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(RETRY_AFTER_CAP_MS, Math.round(Number(text) * 1000));
  // An HTTP-date names a weekday or month; without a letter, Date.parse would accept mere numbers.
  const at = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, at - now.getTime()));
}
