import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { problemOf } from './errors';

const answer = (message: string, extensions: Record<string, unknown>) =>
  new CombinedError({ graphQLErrors: [{ message, extensions }] });

describe('given a RATE_LIMITED answer', () => {
  it('shows the server sentence, which says how long to wait', () => {
    const error = answer('Too many failed sign-ins. Please try again in 60 seconds.', {
      code: 'RATE_LIMITED',
      retryAfterSeconds: 60,
    });
    expect(problemOf(error)).toEqual({
      message: 'Too many failed sign-ins. Please try again in 60 seconds.',
      fields: {},
      code: 'RATE_LIMITED',
    });
  });

  it('says the wait from retryAfterSeconds when the message is not for people', () => {
    const error = answer('GraphQL rate limit', { code: 'RATE_LIMITED', retryAfterSeconds: 180 });
    expect(problemOf(error)?.message).toBe('Too many attempts. Please try again in 3 minutes.');
  });
});

describe('given other answers', () => {
  it('keeps the field sentences of BAD_USER_INPUT for the fields, with one sentence for the top', () => {
    const error = answer('Some fields are not valid.', {
      code: 'BAD_USER_INPUT',
      fields: { currentPassword: ['Enter your current password to change your own email.'] },
    });
    expect(problemOf(error)).toEqual({
      message: 'Please correct the fields marked below.',
      fields: { currentPassword: ['Enter your current password to change your own email.'] },
      code: 'BAD_USER_INPUT',
    });
  });

  it('never shows a code it does not know, even one named like an object property', () => {
    expect(problemOf(answer('x is undefined', { code: 'constructor' }))?.message).toBe(
      'Something went wrong on our side. Please try again.',
    );
  });
});
