import { afterEach, describe, expect, it } from 'vitest';
import type { ReadModel } from '../../projections/readModel.js';
import { hashToken } from './sessions.js';
import { readStoresForTests } from '../testing/readStores.js';
import { activeUser, codesOf, createTestApp, resetEmailOf, settled, type TestApp } from '../testing/harness.js';

const ME = `{ me { id } }`;
const REQUEST_RESET = `mutation($email: String!) { requestPasswordReset(email: $email) }`;
const RESET = `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`;
const NEW_PASSWORD = 'Another-Harbor-77';

async function resetBensPassword(app: TestApp, benId: string) {
  await app.gql(REQUEST_RESET, { email: 'ben@acme.example' });
  const { token } = await resetEmailOf(app, benId);
  const reset = await app.gql(RESET, { input: { token, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD } });
  expect(reset.data?.resetPassword).toBe(true);
}

describe('given Ben signed in, then his password changed', () => {
  let app: TestApp;
  afterEach(async () => app.stop());

  it("ends his earlier sessions by the projector's reaction, and keeps the one he opens afterwards", async () => {
    app = await createTestApp();
    const acme = await app.organization('acme');
    const ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    app.clock.advance(60_000);
    await resetBensPassword(app, ben.id);
    await settled(app);
    expect(await app.readModel.sessions.get(hashToken(ben.token), app.clock())).toBeUndefined();
    const fresh = await app.signIn(ben.loginName, NEW_PASSWORD);
    expect((await app.gql(ME, {}, fresh)).data?.me.id).toBe(ben.id);
  });

  it('refuses an earlier session even when the reaction never ran (a crash after the append)', async () => {
    const stores = await readStoresForTests();
    const real = stores.readModel();
    // The reaction is lost: nothing ever deletes the session rows.
    const readModel: ReadModel = Object.assign(Object.create(real) as ReadModel, {
      sessions: { ...real.sessions, endOpenedBefore: async () => undefined },
    });
    app = await createTestApp({ readModel, checkpoints: stores.checkpoints() });
    const acme = await app.organization('acme');
    const ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    app.clock.advance(60_000);
    await resetBensPassword(app, ben.id);
    await settled(app);
    expect(await real.sessions.get(hashToken(ben.token), app.clock())).toBeDefined();
    expect(codesOf(await app.gql(ME, {}, ben.token))).toEqual(['UNAUTHENTICATED']);
    expect((await app.gql(ME, {}, acme.token)).data?.me.id).toBe(acme.managerId);
  });
});
