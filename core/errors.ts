/**
 * Core error codes. Adapters translate driver errors into these; `api/errorMapping.ts` maps them once
 * to GraphQL `extensions.code`. The codes are stable: clients and tests match on them.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'LINK_EXPIRED'
  | 'LINK_USED'
  | 'LINK_INVALID'
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'CONCURRENCY';

export type FieldErrors = Record<string, string[]>;

export class KeyturnError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
    /** RATE_LIMITED only: whole seconds until a retry can succeed (≥ 1) */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'KeyturnError';
  }
}

/** RATE_LIMITED with the time to wait, in words and as `retryAfterSeconds` (HTTP `Retry-After`). */
export function rateLimited(retryAfterMs: number, what = 'Too many attempts.'): KeyturnError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return new KeyturnError('RATE_LIMITED', `${what} Please try again in ${wait}.`, undefined, seconds);
}

export const badInput = (fields: FieldErrors, message = 'Some fields are not valid.') =>
  new KeyturnError('BAD_USER_INPUT', message, fields);

export const isKeyturnError = (error: unknown, code?: ErrorCode): error is KeyturnError =>
  error instanceof KeyturnError && (code === undefined || error.code === code);
