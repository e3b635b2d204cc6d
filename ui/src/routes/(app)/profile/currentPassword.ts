import type { Problem } from '$lib/graphql/errors';

/**
 * Said before sending: an empty current password would reach the sign-in throttle and count as a
 * failed sign-in, for nothing.
 */
export const MISSING = 'Enter your current password.';

/** A wrong password and "too many tries" are about the current-password field: said beside it. */
export function placed(problem: Problem | undefined): Problem | undefined {
  if (problem?.code === 'INVALID_CREDENTIALS')
    return { ...problem, fields: { currentPassword: ['That is not your current password.'] } };
  if (problem?.code === 'RATE_LIMITED') return { ...problem, fields: { currentPassword: [problem.message] } };
  return problem;
}
