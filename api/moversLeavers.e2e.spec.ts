import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  graphqlData,
  outboxEmails,
  postGraphQL,
  startService,
  waitFor,
  type OutboxEmail,
  type RunningService,
} from './testing/service.js';

const PASSWORD = 'Harbor-Kite-42';

/** The walk of issue 8 over HTTP, on a fresh data directory, as an office manager and a user would do it. */
describe('given the service on a fresh data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-movers-'));
  const outbox = join(dataDir, 'outbox');
  let service: RunningService | undefined;
  afterAll(async () => {
    await service?.stop();
  });

  const emails = () => outboxEmails(outbox);
  const tokenIn = (email: OutboxEmail) => /token=([A-Za-z0-9_-]+)/.exec(email.text)![1]!;
  const post = (query: string, variables: object = {}, token?: string) =>
    postGraphQL(service!.base, query, variables, token);
  const gql = (query: string, variables: object = {}, token?: string) =>
    graphqlData(service!.base, query, variables, token);
  const code = async (query: string, variables: object = {}, token?: string) =>
    (await post(query, variables, token)).errors?.[0]?.extensions?.code;
  const signIn = (loginName: string) =>
    `mutation { signIn(loginName: "${loginName}", password: "${PASSWORD}") { token } }`;
  const setUp = (token: string) =>
    gql('mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { loginName } }', {
      i: { token, password: PASSWORD, confirmPassword: PASSWORD, voicemailPin: '2580' },
    });

  it('moves a user to a new extension, deactivates and reactivates them, and erases another', async () => {
    service = await startService({ DATA_DIR: dataDir });
    const demo = await waitFor(emails, (e) => e.filter((m) => m.kind === 'welcome').length === 2, 'the demo welcomes');
    await setUp(tokenIn(demo.find((e) => e.to.includes('olivia.manager@acme.example'))!));
    const manager = (await gql(signIn('100@acme'))).signIn.token as string;

    const { id: ben } = (
      await gql(
        'mutation { createUser(input: { name: "Ben Walker", extension: "801", email: "ben@acme.example" }) { id } }',
        {},
        manager,
      )
    ).createUser;
    await gql('mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }', { id: ben }, manager);
    const welcome = await waitFor(
      () => emails().find((e) => e.kind === 'welcome' && e.metadata.accountId === ben),
      Boolean,
      'Ben’s welcome',
    );
    await setUp(tokenIn(welcome!));
    const benSession = (await gql(signIn('801@acme'))).signIn.token as string;

    // Change of extension: the new login name signs in, the old one does not, the session goes on.
    await gql(
      'mutation($id: ID!) { changeExtension(userId: $id, extension: "841") { loginName } }',
      { id: ben },
      manager,
    );
    expect(await code(signIn('801@acme'))).toBe('INVALID_CREDENTIALS');
    expect((await gql(signIn('841@acme'))).signIn.token).toBeTruthy();
    expect((await gql('{ me { loginName } }', {}, benSession)).me.loginName).toBe('841@acme');
    await waitFor(
      () => emails().find((e) => e.kind === 'extension-changed' && e.metadata.accountId === ben),
      Boolean,
      'the new-login-name email',
    );

    // Deactivation: the session stops at once, a reset link dies, a reset request sends nothing.
    await gql('mutation { requestPasswordReset(email: "ben@acme.example") }');
    const reset = await waitFor(
      () => emails().find((e) => e.kind === 'reset' && e.metadata.accountId === ben),
      Boolean,
      'Ben’s reset email',
    );
    await gql('mutation($id: ID!) { deactivateUser(userId: $id) { status } }', { id: ben }, manager);
    expect(await code('{ me { id } }', {}, benSession)).toBe('UNAUTHENTICATED');
    expect(await code(signIn('841@acme'))).toBe('INVALID_CREDENTIALS');
    expect(
      (await gql('query($t: String!) { resetLink(token: $t) { status } }', { t: tokenIn(reset!) })).resetLink.status,
    ).toBe('INVALID');
    const before = emails().length;
    await gql('mutation { requestPasswordReset(email: "ben@acme.example") }');
    // A later email (to someone else) has gone out: the reset request was handled before it, and sent nothing.
    const { id: marker } = (
      await gql(
        'mutation { createUser(input: { name: "Marker", extension: "850", email: "m@acme.example" }) { id } }',
        {},
        manager,
      )
    ).createUser;
    await gql('mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }', { id: marker }, manager);
    await waitFor(() => emails().find((e) => e.metadata.accountId === marker), Boolean, 'the marker email');
    expect(emails().length).toBe(before + 1);

    // Reactivation: he signs in again with the same password.
    expect(
      (await gql('mutation($id: ID!) { reactivateUser(userId: $id) { status } }', { id: ben }, manager)).reactivateUser
        .status,
    ).toBe('ACTIVE');
    expect((await gql(signIn('841@acme'))).signIn.token).toBeTruthy();

    // Erasure of a deactivated user: the history still counts their events.
    const { id: cy } = (
      await gql(
        'mutation { createUser(input: { name: "Cy Leaving", extension: "860", email: "cy@acme.example" }) { id } }',
        {},
        manager,
      )
    ).createUser;
    await gql('mutation($id: ID!) { deactivateUser(userId: $id) { id } }', { id: cy }, manager);
    const historyBefore = (
      await gql('query($id: ID!) { auditEvents(filter: { userId: $id }) { totalCount } }', { id: cy }, manager)
    ).auditEvents.totalCount;
    await gql('mutation($id: ID!) { eraseUser(userId: $id, confirmName: "Cy Leaving") }', { id: cy }, manager);
    const after = (
      await gql('query($id: ID!) { auditEvents(filter: { userId: $id }) { totalCount } }', { id: cy }, manager)
    ).auditEvents.totalCount;
    expect(after).toBe(historyBefore + 1);
    expect((await gql('query($id: ID!) { user(id: $id) { name erased } }', { id: cy }, manager)).user).toEqual({
      name: 'Erased user',
      erased: true,
    });
  }, 90_000);
});
