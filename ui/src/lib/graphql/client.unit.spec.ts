import { describe, expect, it, vi } from 'vitest';
import { createGraphQLClient } from './client';
import { graphql } from './graphql';

const Me = graphql(`
  query MeId {
    me {
      id
    }
  }
`);

/** A server that says the session is gone, to every request. */
const signedOut = async () =>
  new Response(
    JSON.stringify({ data: null, errors: [{ message: 'Sign in first.', extensions: { code: 'UNAUTHENTICATED' } }] }),
    {
      headers: { 'content-type': 'application/json' },
    },
  );

describe('given the one client of a visit, and a session that ended', () => {
  it('tells the page, so a component’s request leads to the sign-in page', async () => {
    const onSignedOut = vi.fn();
    const client = createGraphQLClient({ url: 'http://keyturn.test/graphql', fetch: signedOut, onSignedOut });
    await client.query(Me, {}).toPromise();
    expect(onSignedOut).toHaveBeenCalledTimes(1);
  });

  it('leaves a load’s own query to its load, which redirects back to the page asked for', async () => {
    const onSignedOut = vi.fn();
    const client = createGraphQLClient({ url: 'http://keyturn.test/graphql', fetch: signedOut, onSignedOut });
    const answer = await client.query(Me, {}, { handlesSignOut: true }).toPromise();
    expect(answer.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(onSignedOut).not.toHaveBeenCalled();
  });
});
