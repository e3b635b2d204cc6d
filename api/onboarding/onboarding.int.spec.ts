import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, GOOD_PIN, codesOf, createTestApp, type TestApp } from '../testing/harness.js';

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id loginName status } }`;
const WELCOME = `mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id status setupLinkExpiresAt lastEmail { kind status to } } }`;
const SETUP = `mutation($input: CompleteSetupInput!) { completeSetup(input: $input) { loginName } }`;

describe('given an office manager of Acme', () => {
  let app: TestApp;
  let manager: Awaited<ReturnType<TestApp['organization']>>;
  beforeEach(async () => {
    app = await createTestApp();
    manager = await app.organization('acme');
  });
  afterEach(async () => app.stop());

  it('creates a user, sends the welcome email, and the user completes setup and signs in', async () => {
    const created = await app.gql(
      CREATE,
      { input: { name: 'Ben Okafor', extension: '101', email: 'Ben@Acme.example' } },
      manager.token,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createUser).toMatchObject({ loginName: '101@acme', status: 'NOT_INVITED' });
    const id = created.data!.createUser.id;

    const sent = await app.gql(WELCOME, { id }, manager.token);
    expect(sent.errors).toBeUndefined();
    expect(sent.data?.sendWelcomeEmail).toMatchObject({
      status: 'INVITED',
      lastEmail: { kind: 'welcome', status: 'PENDING', to: ['ben@acme.example'] },
    });

    const email = await app.waitForEmail((m) => m.metadata.accountId === id);
    expect(email.text).toContain('101@acme');
    const done = await app.gql(SETUP, {
      input: {
        token: app.linkToken(email),
        password: GOOD_PASSWORD,
        confirmPassword: GOOD_PASSWORD,
        voicemailPin: GOOD_PIN,
      },
    });
    expect(done.data?.completeSetup).toEqual({ loginName: '101@acme' });
    await expect(app.signIn('101@acme')).resolves.toBeTypeOf('string');
  });

  it('names every broken rule and does not use the link', async () => {
    const { data } = await app.gql(
      CREATE,
      { input: { name: 'Ben', extension: '101', email: 'ben@acme.example' } },
      manager.token,
    );
    await app.gql(WELCOME, { id: data!.createUser.id }, manager.token);
    const email = await app.waitForEmail((m) => m.metadata.accountId === data!.createUser.id);
    const bad = await app.gql(SETUP, {
      input: { token: app.linkToken(email), password: 'short', confirmPassword: 'other', voicemailPin: '1234' },
    });
    expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
    expect(Object.keys(bad.errors![0]!.extensions!.fields as object).sort()).toEqual([
      'confirmPassword',
      'password',
      'voicemailPin',
    ]);
    const good = await app.gql(SETUP, {
      input: {
        token: app.linkToken(email),
        password: GOOD_PASSWORD,
        confirmPassword: GOOD_PASSWORD,
        voicemailPin: GOOD_PIN,
      },
    });
    expect(good.errors).toBeUndefined();
  });
});
