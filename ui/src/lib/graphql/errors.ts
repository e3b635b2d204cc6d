import type { CombinedError } from '@urql/core';

export interface Problem {
  /** one sentence for the top of the form */
  message: string;
  /** sentences per input field, shown beside the field */
  fields: Record<string, string[]>;
  /** kept for branching (e.g. show the expired-link page); never shown to a person */
  code?: string;
}

/**
 * Codes whose server message is written for people (see api/graphql/errorMapping.ts); the sentence
 * here stands in only when a message reads like a machine's.
 */
const fallback: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'Your role does not allow this.',
  NOT_FOUND: 'We could not find that. It may have been removed, or the address is wrong.',
  BAD_USER_INPUT: 'Please correct the fields marked below.',
  CONFLICT: 'This changed in the meantime. Reload the page and try again.',
  LINK_EXPIRED: 'This link has expired.',
  LINK_USED: 'This link was already used.',
  LINK_INVALID: 'This link is not valid.',
  INVALID_CREDENTIALS: 'The login name or password is not right.',
  RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
};

/** The server's own wording of a wait (core/errors.ts `rateLimited`), for when only the number came. */
const retryWords = (seconds: number) =>
  `Please try again in ${seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`;

const OFFLINE = 'We could not reach Keyturn. Check your connection and try again.';
const UNKNOWN = 'Something went wrong on our side. Please try again.';

// Messages from GraphQL validation name variables and types: true, but not for people.
const technical = (message: string) => /\$|Variable|Cannot query|Expected type|GraphQL/i.test(message);

/** Turns what urql reports into sentences a person understands; never shows a raw code. */
export function problemOf(error: CombinedError | undefined | null): Problem | undefined {
  if (!error) return undefined;
  const first = error.graphQLErrors[0];
  if (!first) return { message: OFFLINE, fields: {} };
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : undefined;
  const fields = (first.extensions?.fields ?? {}) as Record<string, string[]>;
  const known = code !== undefined && Object.hasOwn(fallback, code);
  // RATE_LIMITED: "Too many failed sign-ins. Please try again in 60 seconds." — only the server knows how long.
  const readable = known && !technical(first.message);
  let message = readable ? first.message : known ? fallback[code]! : UNKNOWN;
  if (code === 'BAD_USER_INPUT' && Object.keys(fields).length > 0) message = fallback.BAD_USER_INPUT!;
  const retryAfter = first.extensions?.retryAfterSeconds;
  if (code === 'RATE_LIMITED' && !readable && typeof retryAfter === 'number' && retryAfter > 0) {
    message = `Too many attempts. ${retryWords(Math.ceil(retryAfter))}`;
  }
  return { message, fields, code };
}

/**
 * The problem once the person edits one field: that field's sentences go (the live checklist takes
 * over); the others stay until the next submit.
 */
export function withoutField(problem: Problem | undefined, event: Event): Problem | undefined {
  const name = (event.target as HTMLInputElement | null)?.name;
  if (!problem || !name || !(name in problem.fields)) return problem;
  const { [name]: _edited, ...fields } = problem.fields;
  return Object.keys(fields).length > 0 ? { ...problem, fields } : undefined;
}
