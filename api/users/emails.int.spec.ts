import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  activeUser,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  sendWelcome,
  settled,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const CHANGE = `mutation($id: ID!, $email: String!) { changeDesignatedEmail(userId: $id, email: $email) { id email secondaryEmail } }`;
const ADD = `mutation($id: ID!, $email: String!) { addSecondaryEmail(userId: $id, email: $email) { id email secondaryEmail } }`;
const REMOVE = `mutation($id: ID!) { removeSecondaryEmail(userId: $id) { id email secondaryEmail } }`;
const USER = `query($id: ID!) { user(id: $id) { email secondaryEmail } }`;

describe('given Acme with Nia, who has not set up yet', () => {
  let app: TestApp;
  let acme: Manager;
  let nia: { id: string };
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    nia = await createUser(app, acme.token, { name: 'Nia New', extension: '102', email: 'nia@acme.example' });
  });
  afterEach(async () => app.stop());

  it("lets the office manager change a user's designated email, normalised", async () => {
    const result = await app.gql(CHANGE, { id: nia.id, email: ' Nia.N@Acme.Example ' }, acme.token);
    expect(result.data?.changeDesignatedEmail).toEqual({ id: nia.id, email: 'nia.n@acme.example', secondaryEmail: null });
    expect((await app.gql(USER, { id: nia.id }, acme.token)).data?.user.email).toBe('nia.n@acme.example');
  });

  it.each(['nope', 'ben@acme', 'two@at@acme.example', ''])('refuses the address "%s" with BAD_USER_INPUT on email', async (email) => {
    expect(badFieldsOf(await app.gql(CHANGE, { id: nia.id, email }, acme.token))).toEqual(['email']);
    expect(badFieldsOf(await app.gql(ADD, { id: nia.id, email }, acme.token))).toEqual(['email']);
  });

  it('refuses a second email equal to the designated one, in any case', async () => {
    const result = await app.gql(ADD, { id: nia.id, email: 'NIA@acme.example' }, acme.token);
    expect(badFieldsOf(result)).toEqual(['email']);
    expect((await app.gql(USER, { id: nia.id }, acme.token)).data?.user.secondaryEmail).toBeNull();
  });

  it('refuses a designated email equal to the second one', async () => {
    await app.gql(ADD, { id: nia.id, email: 'nia.home@example.com' }, acme.token);
    expect(badFieldsOf(await app.gql(CHANGE, { id: nia.id, email: 'nia.home@example.com' }, acme.token))).toEqual(['email']);
  });

  it('adds, replaces and removes the second email', async () => {
    const added = await app.gql(ADD, { id: nia.id, email: 'nia.home@example.com' }, acme.token);
    expect(added.data?.addSecondaryEmail).toMatchObject({ email: 'nia@acme.example', secondaryEmail: 'nia.home@example.com' });
    const replaced = await app.gql(ADD, { id: nia.id, email: 'nia.mobile@example.com' }, acme.token);
    expect(replaced.data?.addSecondaryEmail.secondaryEmail).toBe('nia.mobile@example.com');
    const removed = await app.gql(REMOVE, { id: nia.id }, acme.token);
    expect(removed.data?.removeSecondaryEmail).toEqual({ id: nia.id, email: 'nia@acme.example', secondaryEmail: null });
    expect((await app.gql(REMOVE, { id: nia.id }, acme.token)).errors).toBeUndefined();
  });

  it('sends a later welcome email to both addresses, and after removal to the designated one only', async () => {
    await app.gql(ADD, { id: nia.id, email: 'nia.home@example.com' }, acme.token);
    expect((await sendWelcome(app, acme.token, nia.id)).email.to).toEqual(['nia@acme.example', 'nia.home@example.com']);
    await app.gql(REMOVE, { id: nia.id }, acme.token);
    expect((await sendWelcome(app, acme.token, nia.id)).email.to).toEqual(['nia@acme.example']);
  });

  it('sends a later welcome email to the new designated address', async () => {
    await app.gql(CHANGE, { id: nia.id, email: 'nia.n@acme.example' }, acme.token);
    expect((await sendWelcome(app, acme.token, nia.id)).email.to).toEqual(['nia.n@acme.example']);
  });
});

describe('given Acme with active user Ben and Nia, who has not set up yet', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; token: string };
  let nia: { id: string };
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    nia = await createUser(app, acme.token, { name: 'Nia New', extension: '102', email: 'nia@acme.example' });
  });
  afterEach(async () => app.stop());

  it('lets a user change their own designated email', async () => {
    const result = await app.gql(CHANGE, { id: ben.id, email: 'ben.okafor@acme.example' }, ben.token);
    expect(result.errors).toBeUndefined();
    expect(result.data?.changeDesignatedEmail.email).toBe('ben.okafor@acme.example');
  });

  it("forbids a USER to change someone else's email, and leaves it as it was", async () => {
    expect(codesOf(await app.gql(CHANGE, { id: nia.id, email: 'hijack@evil.example' }, ben.token))).toEqual(['FORBIDDEN']);
    expect(codesOf(await app.gql(CHANGE, { id: acme.managerId, email: 'hijack@evil.example' }, ben.token))).toEqual(['FORBIDDEN']);
    expect((await app.gql(USER, { id: nia.id }, acme.token)).data?.user.email).toBe('nia@acme.example');
  });

  it('forbids a USER to add a second email, even their own', async () => {
    expect(codesOf(await app.gql(ADD, { id: ben.id, email: 'ben.home@example.com' }, ben.token))).toEqual(['FORBIDDEN']);
  });

  it('sends password resets to the new address only, once changed', async () => {
    await app.gql(CHANGE, { id: ben.id, email: 'ben.okafor@acme.example' }, ben.token);
    await app.gql(`mutation { requestPasswordReset(email: "ben@acme.example") }`);
    await settled(app);
    expect(app.outbox().filter((m) => m.kind === 'reset')).toHaveLength(0);
    await app.gql(`mutation { requestPasswordReset(email: "ben.okafor@acme.example") }`);
    await settled(app);
    expect(app.outbox().filter((m) => m.kind === 'reset').map((m) => m.to)).toEqual([['ben.okafor@acme.example']]);
  });
});
