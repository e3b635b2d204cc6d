import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  graphqlData,
  outboxEmails,
  startService,
  waitFor as waitUpTo15s,
  type RunningService,
} from './testing/service.js';

/**
 * Reminders in real time, as an operator would see them with short lifetimes: links last 30 s and are
 * reminded of with 15 s left. Waits are for an email or a state; where time itself must pass (a link
 * superseded before its reminder, the service kept stopped while one falls due), the test waits for
 * the moment computed from the links' own expiry.
 */
const ENV = { WELCOME_LINK_TTL: '30s', INVITE_REMINDER_BEFORE: '15s', SESSION_TTL: '1h' };
/** Reminders fall due 15 s after their welcome: waits here allow twice that. */
const waitFor = <T>(read: () => T | Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000) =>
  waitUpTo15s(read, ok, what, timeoutMs);
const until = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
const PASSWORD = 'Harbor-Kite-42';

describe('given the service with 30 s welcome links and reminders 15 s before they expire', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-reminders-'));
  const outbox = join(dataDir, 'outbox');
  let service: RunningService | undefined;
  afterAll(async () => {
    await service?.stop();
  });

  const emails = () => outboxEmails(outbox);
  const remindersOf = (accountId: string) =>
    emails().filter((e) => e.kind === 'welcome-reminder' && e.metadata.accountId === accountId);
  const welcomesOf = (accountId: string) =>
    emails().filter((e) => e.kind === 'welcome' && e.metadata.accountId === accountId);
  const gql = (query: string, variables: object = {}, token?: string) =>
    graphqlData(service!.base, query, variables, token);
  const invite = async (token: string, name: string, extension: string) => {
    const { id } = (
      await gql(
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
        { i: { name, extension, email: `${extension}@acme.example` } },
        token,
      )
    ).createUser as { id: string };
    await gql('mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }', { id }, token);
    return id;
  };

  it('sends exactly one reminder per outstanding link, none for completed or superseded ones, and one after a restart', async () => {
    service = await startService({ DATA_DIR: dataDir, ...ENV });
    const demo = await waitFor(emails, (e) => e.filter((m) => m.kind === 'welcome').length === 2, 'the demo welcomes');
    const manager = demo.find((e) => e.to.includes('olivia.manager@acme.example'))!;
    const auditor = demo.find((e) => e !== manager)!;
    const link = /token=([A-Za-z0-9_-]+)/.exec(manager.text)![1];
    await gql('mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { loginName } }', {
      i: { token: link, password: PASSWORD, confirmPassword: PASSWORD, voicemailPin: '2580' },
    });
    const token = (await gql(`mutation { signIn(loginName: "100@acme", password: "${PASSWORD}") { token } }`)).signIn
      .token as string;

    const ana = await invite(token, 'Ana Outstanding', '201');
    const bo = await invite(token, 'Bo Superseded', '202');
    await waitFor(
      () => welcomesOf(bo),
      (w) => w.length === 1,
      'Bo’s first welcome',
    );
    // A few seconds later Bo gets a newer link: only that one is reminded of, later than Ana's.
    await new Promise((r) => setTimeout(r, 3000));
    await gql('mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }', { id: bo }, token);

    const [anaReminder] = await waitFor(
      () => remindersOf(ana),
      (r) => r.length === 1,
      'Ana’s reminder',
    );
    expect(anaReminder!.subject).toMatch(/expires in/);
    expect(/token=([A-Za-z0-9_-]+)/.exec(anaReminder!.text)![1]).toBe(
      /token=([A-Za-z0-9_-]+)/.exec(welcomesOf(ana)[0]!.text)![1],
    );
    const [boReminder] = await waitFor(
      () => remindersOf(bo),
      (r) => r.length === 1,
      'Bo’s reminder, for his newer link',
    );
    const newest = welcomesOf(bo).at(-1)!;
    expect(/token=([A-Za-z0-9_-]+)/.exec(boReminder!.text)![1]).toBe(/token=([A-Za-z0-9_-]+)/.exec(newest.text)![1]);
    // By now the scheduler swept many times (every second) over every link.
    expect(remindersOf(ana)).toHaveLength(1);
    expect(remindersOf(auditor.metadata.accountId)).toHaveLength(1);
    expect(remindersOf(manager.metadata.accountId)).toHaveLength(0);

    // A reminder that falls due while the service is stopped goes out when it starts again; one whose
    // link expired meanwhile does not.
    const expiryOf = async (id: string) =>
      Date.parse(
        (await gql('query($id: ID!) { user(id: $id) { setupLinkExpiresAt } }', { id }, token)).user
          .setupLinkExpiresAt as string,
      );
    const cy = await invite(token, 'Cy Expires', '203');
    await waitFor(
      () => welcomesOf(cy),
      (w) => w.length === 1,
      'Cy’s welcome',
    );
    const cyExpires = await expiryOf(cy);
    await until(cyExpires - 20_000); // 10 s after Cy's welcome: neither link is due yet
    const dee = await invite(token, 'Dee Due', '204');
    await waitFor(
      () => welcomesOf(dee),
      (w) => w.length === 1,
      'Dee’s welcome',
    );
    const deeExpires = await expiryOf(dee);
    expect(await service.stop()).toBe(0);
    service = undefined;
    expect(remindersOf(cy)).toHaveLength(0);
    // Stopped until Cy's link has expired; by then Dee's is due, with about 10 s left.
    await until(cyExpires + 500);
    expect(deeExpires - Date.now()).toBeGreaterThan(5000);
    service = await startService({ DATA_DIR: dataDir, ...ENV });
    await waitFor(
      () => remindersOf(dee),
      (r) => r.length === 1,
      'Dee’s reminder after the restart',
      10_000,
    );
    expect(remindersOf(cy)).toHaveLength(0);
    const user = (await gql('query($id: ID!) { user(id: $id) { welcomeReminderSentAt } }', { id: dee }, token)).user;
    expect(user.welcomeReminderSentAt).toBeTruthy();
  }, 120_000);
});
