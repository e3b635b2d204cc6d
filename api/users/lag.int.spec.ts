import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Projector } from '../../projections/projector.js';
import { CREATE_USER, SEND_WELCOME, createTestApp, eventsOf, type Manager, type TestApp } from '../testing/harness.js';

/** A read model that never catches up in time, as a stalled projector would leave it. */
const lagging: Projector = {
  waitFor: async () => {
    throw new Error('The read model did not catch up in time.');
  },
  stop: async () => undefined,
};

describe('given a read model that lags behind the event store', () => {
  let app: TestApp;
  let acme: Manager;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    app.keyturn.services.projector = lagging;
  });
  afterEach(async () => app.stop());

  it('answers createUser with the user as decided, never as a failure, and records it once', async () => {
    const input = { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example', role: 'USER' };
    const created = await app.gql(CREATE_USER, { input }, acme.token);
    expect(created.errors).toBeUndefined();
    expect(created.data?.createUser).toMatchObject({
      loginName: '101@acme',
      role: 'USER',
      status: 'NOT_INVITED',
      email: 'ben@acme.example',
    });
    expect(await eventsOf(app, created.data!.createUser.id, 'AccountOpened')).toHaveLength(1);
  });

  it('answers sendWelcomeEmail with the user INVITED, and one welcome email recorded', async () => {
    const input = { name: 'Nia New', extension: '102', email: 'nia@acme.example', role: 'USER' };
    const { id } = (await app.gql(CREATE_USER, { input }, acme.token)).data!.createUser;
    const sent = await app.gql(SEND_WELCOME, { id }, acme.token);
    expect(sent.errors).toBeUndefined();
    expect(sent.data?.sendWelcomeEmail.status).toBe('INVITED');
    expect(await eventsOf(app, id, 'WelcomeEmailSent')).toHaveLength(1);
  });
});
