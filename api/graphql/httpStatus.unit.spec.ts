import { HeaderMap, type GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { rateLimitStatusPlugin } from './httpStatus.js';

/** What Apollo hands `willSendResponse`, reduced to what the plugin reads. */
async function statusFor(errors: GraphQLFormattedError[], data?: Record<string, unknown> | null) {
  const http = { status: undefined as number | undefined, headers: new HeaderMap() };
  const context = { response: { http, body: { kind: 'single', singleResult: { errors, data } } } };
  const listener = await rateLimitStatusPlugin.requestDidStart!({} as never);
  await listener!.willSendResponse!(context as unknown as GraphQLRequestContextWillSendResponse<never>);
  return { status: http.status, retryAfter: http.headers.get('retry-after') };
}

const limited = (seconds: number): GraphQLFormattedError => ({
  message: 'Too many attempts.',
  extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds },
});

describe('given an answer about to be sent', () => {
  it('makes one whose only errors are RATE_LIMITED a 429, waiting for the longest of them', async () => {
    expect(await statusFor([limited(30)], null)).toEqual({ status: 429, retryAfter: '30' });
    expect(await statusFor([limited(30), limited(90)], { signIn: null })).toEqual({ status: 429, retryAfter: '90' });
  });

  it('leaves the status alone when something else went wrong too, or some data came back', async () => {
    const other = { message: 'Please sign in.', extensions: { code: 'UNAUTHENTICATED' } };
    expect(await statusFor([limited(30), other], null)).toEqual({ status: undefined, retryAfter: undefined });
    expect(await statusFor([limited(30)], { me: { id: '1' }, signIn: null })).toEqual({
      status: undefined,
      retryAfter: undefined,
    });
    // a RATE_LIMITED without a wait to announce cannot say Retry-After
    expect(await statusFor([{ message: 'x', extensions: { code: 'RATE_LIMITED' } }])).toEqual({
      status: undefined,
      retryAfter: undefined,
    });
  });
});
