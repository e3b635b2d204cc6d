import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, activeUser, createTestApp, settled, type GqlResult, type TestApp } from '../testing/harness.js';
import { SESSION_CACHE_TTL_MS, hashToken, sessionLookup, type SessionLookup } from './sessions.js';

const NEW_PASSWORD = 'Another-Harbor-77';

/** An operation as the HTTP route runs it: the caller and the services both from the lookup. */
async function gqlThrough(app: TestApp, lookup: SessionLookup, query: string, token: string, variables = {}) {
  const { actor, tokenHash, sessionId } = await lookup.callerOf(token);
  const contextValue = {
    actor,
    sessionTokenHash: tokenHash,
    sessionId,
    requestId: 'spec-request',
    clientAddress: '192.0.2.1',
    services: lookup.services,
  };
  const response = await app.keyturn.graphql.executeOperation({ query, variables }, { contextValue });
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  return response.body.singleResult as GqlResult;
}

describe('given Ben signed in, his session record remembered by the route', () => {
  let app: TestApp;
  let lookup: SessionLookup;
  let elapsed: number;
  let manager: string;
  let ben: { id: string; token: string; loginName: string };
  beforeEach(async () => {
    app = await createTestApp();
    const acme = await app.organization('acme');
    manager = acme.token;
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    elapsed = 0;
    lookup = sessionLookup(app.keyturn.services, { monotonicNow: () => elapsed });
    expect((await lookup.callerOf(ben.token)).actor).toMatchObject({ kind: 'account', accountId: ben.id });
  });
  afterEach(async () => app.stop());

  it('refuses him on the very next request after he signs out through the route', async () => {
    expect((await gqlThrough(app, lookup, 'mutation { signOut }', ben.token)).data?.signOut).toBe(true);
    expect((await lookup.callerOf(ben.token)).actor.kind).toBe('anonymous');
  });

  it('lets a session deleted by another process go on for at most the cache time', async () => {
    await app.readModel.sessions.delete(hashToken(ben.token));
    elapsed = SESSION_CACHE_TTL_MS - 1;
    expect((await lookup.callerOf(ben.token)).actor.kind).toBe('account');
    elapsed = SESSION_CACHE_TTL_MS;
    expect((await lookup.callerOf(ben.token)).actor.kind).toBe('anonymous');
  });

  it('refuses him at once when he is deactivated, though his record is remembered', async () => {
    const done = await app.gql(`mutation($id: ID!) { deactivateUser(userId: $id) { id } }`, { id: ben.id }, manager);
    expect(done.errors).toBeUndefined();
    await settled(app);
    expect((await lookup.callerOf(ben.token)).actor.kind).toBe('anonymous');
  });

  it('refuses his other session at once after a password change, and keeps the one he changed it from', async () => {
    const laptop = await app.signIn(ben.loginName);
    expect((await lookup.callerOf(laptop)).actor.kind).toBe('account');
    app.clock.advance(60_000);
    const change = 'mutation($input: ChangePasswordInput!) { changePassword(input: $input) }';
    const input = { currentPassword: GOOD_PASSWORD, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };
    expect((await gqlThrough(app, lookup, change, ben.token, { input })).errors).toBeUndefined();
    await settled(app);
    expect((await lookup.callerOf(laptop)).actor.kind).toBe('anonymous');
    expect((await lookup.callerOf(ben.token)).actor).toMatchObject({ kind: 'account', accountId: ben.id });
  });
});
