import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendDueReminders } from '../../core/accounts/reminders.js';
import {
  COMPLETE_SETUP,
  createTestApp,
  createUser,
  eventsOf,
  eventually,
  sendWelcome,
  settled,
  setupInput,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const HOUR = 3_600_000;
const BEFORE = 4 * HOUR;
const USER = `query($id: ID!) { user(id: $id) { welcomeReminderSentAt lastEmail { kind status } } }`;
const SOON = `query { users(expiresSoon: true) { totalCount edges { node { name } } } userStatusCounts { invited expiresSoon inviteExpired } }`;

describe('given reminders 4 h before a welcome link expires', () => {
  let app: TestApp;
  let acme: Manager;
  /** one pass of the scheduler, as the lease holder runs it */
  const sweep = () =>
    sendDueReminders({
      store: app.store,
      clock: app.clock,
      remindBeforeMs: BEFORE,
      due: (now, within, limit) => app.readModel.users.dueForReminder(now, within, limit),
    });

  beforeEach(async () => {
    // The scheduler in the app sweeps every 20 ms of real time; the test clock decides what is due
    // (sessions outlive the days the clock is moved through).
    app = await createTestApp({ inviteReminderBeforeMs: BEFORE, reminderSweepMs: 20, sessionTtlMs: 7 * 24 * HOUR });
    acme = await app.organization('acme');
    await settled(app);
  });
  afterEach(async () => app.stop());

  it('sends one reminder carrying the same link, to every address, once the link has 4 h left', async () => {
    const ana = await createUser(app, acme.token, { name: 'Ana Silva', extension: '120', email: 'ana@acme.example' });
    await app.gql(
      `mutation($id: ID!) { addSecondaryEmail(userId: $id, email: "ana@home.example") { id } }`,
      { id: ana.id },
      acme.token,
    );
    const { token } = await sendWelcome(app, acme.token, ana.id);
    app.clock.advance(20 * HOUR + 60_000);
    const reminder = await app.waitForEmail((m) => m.kind === 'welcome-reminder' && m.metadata.accountId === ana.id);
    expect(app.linkToken(reminder)).toBe(token);
    expect(reminder.to).toEqual(['ana@acme.example', 'ana@home.example']);
    expect(reminder.subject).toMatch(/expires in 3 hours 59 minutes/);
    await settled(app);
    expect(await sweep()).toBe(0);
    expect(await eventsOf(app, ana.id, 'WelcomeReminderSent')).toHaveLength(1);
    const view = (await app.gql(USER, { id: ana.id }, acme.token)).data?.user;
    expect(view.welcomeReminderSentAt).toBeTruthy();
    expect(view.lastEmail.kind).toBe('welcome-reminder');
  });

  it('lists the link as expiring soon, and counts it', async () => {
    const ana = await createUser(app, acme.token, { name: 'Ana Silva', extension: '120', email: 'ana@acme.example' });
    const bo = await createUser(app, acme.token, { name: 'Bo Berg', extension: '121', email: 'bo@acme.example' });
    await sendWelcome(app, acme.token, ana.id);
    app.clock.advance(21 * HOUR);
    await sendWelcome(app, acme.token, bo.id);
    const answer = (await app.gql(SOON, {}, acme.token)).data!;
    expect(answer.users.edges.map((e: any) => e.node.name)).toEqual(['Ana Silva']);
    expect(answer.userStatusCounts).toEqual({ invited: 2, expiresSoon: 1, inviteExpired: 0 });
  });

  it('sends none for a link that was superseded, used, or whose account was deactivated', async () => {
    const users = await Promise.all(
      ['130', '131', '132'].map((ext) =>
        createUser(app, acme.token, { name: `User ${ext}`, extension: ext, email: `u${ext}@acme.example` }),
      ),
    );
    const [superseded, used, deactivated] = [users[0]!, users[1]!, users[2]!];
    await sendWelcome(app, acme.token, superseded.id);
    const { token } = await sendWelcome(app, acme.token, used.id);
    await sendWelcome(app, acme.token, deactivated.id);
    app.clock.advance(2 * HOUR);
    await sendWelcome(app, acme.token, superseded.id); // the newer link is not due yet
    await app.gql(COMPLETE_SETUP, { input: setupInput(token) });
    await app.gql(`mutation($id: ID!) { deactivateUser(userId: $id) { id } }`, { id: deactivated.id }, acme.token);
    await settled(app);
    app.clock.advance(19 * HOUR);
    expect(await sweep()).toBe(0);
    for (const user of users) expect(await eventsOf(app, user.id, 'WelcomeReminderSent')).toHaveLength(0);
    // The newer link gets its own reminder when its time comes.
    app.clock.advance(2 * HOUR);
    await eventually(
      async () => (await eventsOf(app, superseded.id, 'WelcomeReminderSent')).length === 1,
      'the newer link’s reminder',
    );
  });

  it('after a stop, sends the reminders that fell due meanwhile, except for links that expired', async () => {
    // No scheduler runs in this app: the sweep below is the first after the "restart".
    await app.stop();
    app = await createTestApp({ sessionTtlMs: 7 * 24 * HOUR });
    acme = await app.organization('acme');
    const ana = await createUser(app, acme.token, { name: 'Ana Silva', extension: '120', email: 'ana@acme.example' });
    const bo = await createUser(app, acme.token, { name: 'Bo Berg', extension: '121', email: 'bo@acme.example' });
    await sendWelcome(app, acme.token, ana.id);
    app.clock.advance(5 * HOUR);
    await sendWelcome(app, acme.token, bo.id);
    await settled(app);
    app.clock.advance(20 * HOUR + 30 * 60_000); // Ana's link expired 30 min ago; Bo's has 3 h 30 left
    expect(await sweep()).toBe(1);
    expect(await eventsOf(app, ana.id, 'WelcomeReminderSent')).toHaveLength(0);
    expect(await eventsOf(app, bo.id, 'WelcomeReminderSent')).toHaveLength(1);
    await app.waitForEmail((m) => m.kind === 'welcome-reminder' && m.metadata.accountId === bo.id);
  });
});
