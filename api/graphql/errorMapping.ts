import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError, AuthenticationError, AuthorizationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import { KeyturnError, type FieldErrors } from '../../core/errors.js';
import { WrongExpectedRevisionError } from '../../core/eventStore/eventStore.js';
import type { Logger } from '../../core/logger.js';
import { requestIdOfError } from './requestIds.js';

/** Apollo's own codes for problems with the query itself: their messages are safe to show. */
const queryProblems = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

function fieldsOf(errors: ValidationError[], into: FieldErrors = {}): FieldErrors {
  for (const error of errors) {
    if (error.constraints) into[error.property] = [...(into[error.property] ?? []), ...Object.values(error.constraints)];
    if (error.children?.length) fieldsOf(error.children, into);
  }
  return into;
}

// "Did you mean …" names fields, arguments, types and enum values: a map of the schema for whoever
// probes it. graphql-js writes them in validation and in variable coercion alike.
const withoutSuggestions = (message: string) => message.replace(/ ?Did you mean [^?]*\?/g, '').trim();

/**
 * The one place where errors become what a client sees: core codes pass through with their message
 * (written for people); anything unexpected is logged and answered without internals.
 */
export function createErrorFormatter(log: Logger, options: { fieldSuggestions?: boolean } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { locations: formatted.locations, path: formatted.path };
    if (original instanceof KeyturnError) {
      return {
        ...base,
        message: original.message,
        extensions: {
          code: original.code,
          ...(original.fields ? { fields: original.fields } : {}),
          ...(original.retryAfterSeconds ? { retryAfterSeconds: original.retryAfterSeconds } : {}),
        },
      };
    }
    if (original instanceof ArgumentValidationError) {
      return {
        ...base,
        message: 'Some fields are not valid.',
        extensions: { code: 'BAD_USER_INPUT', fields: fieldsOf(original.extensions.validationErrors) },
      };
    }
    if (original instanceof AuthenticationError) {
      return { ...base, message: 'Please sign in.', extensions: { code: 'UNAUTHENTICATED' } };
    }
    if (original instanceof AuthorizationError) {
      return { ...base, message: 'You are not allowed to do this.', extensions: { code: 'FORBIDDEN' } };
    }
    if (original instanceof WrongExpectedRevisionError) {
      return { ...base, message: 'Someone changed this at the same time. Please try again.', extensions: { code: 'CONFLICT' } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && queryProblems.has(code)) {
      const message = options.fieldSuggestions === false ? withoutSuggestions(formatted.message) : formatted.message;
      return { ...base, message, extensions: { code } };
    }
    // The id is in the answer and in the log line, so a support ticket leads to the line.
    const requestId = requestIdOfError(error);
    log.error({ requestId, err: original instanceof Error ? original.message : String(original), path: formatted.path }, 'unexpected error');
    return {
      ...base,
      message: 'Something went wrong on our side. Please try again.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
    };
  };
}
