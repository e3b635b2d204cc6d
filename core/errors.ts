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
  ) {
    super(message);
    this.name = 'KeyturnError';
  }
}

export const badInput = (fields: FieldErrors, message = 'Some fields are not valid.') =>
  new KeyturnError('BAD_USER_INPUT', message, fields);

export const isKeyturnError = (error: unknown, code?: ErrorCode): error is KeyturnError =>
  error instanceof KeyturnError && (code === undefined || error.code === code);
