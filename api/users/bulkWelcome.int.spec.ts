import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteReadModel } from '../../projections/sqlite/sqliteReadModel.js';
import type { ReadModel } from '../../projections/readModel.js';
import {
  activeUser,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  eventually,
  settled,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const BULK = `mutation($userIds: [ID!], $allMatching: UserFilter) {
  sendWelcomeEmails(userIds: $userIds, allMatching: $allMatching) { bulkId sent skipped { userId reason } }
}`;
const PROGRESS = `query($bulkId: ID!) { bulkWelcomeProgress(bulkId: $bulkId) { total pending delivered failed } }`;

describe('given Acme (bulk limit 3) with its office manager, who completed setup, and Ben, Bea and Carl not yet invited', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: string, bea: string, carl: string;
  const welcomesTo = (id: string) => app.outbox().filter((m) => m.kind === 'welcome' && m.metadata.accountId === id);

  beforeEach(async () => {
    app = await createTestApp({ maxBulk: 3 });
    acme = await app.organization('acme');
    ben = (await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' })).id;
    bea = (await createUser(app, acme.token, { name: 'Bea Brown', extension: '102', email: 'bea@acme.example' })).id;
    carl = (await createUser(app, acme.token, { name: 'Carl Diaz', extension: '103', email: 'carl@acme.example' })).id;
  });
  afterEach(async () => app.stop());

  it('refuses neither userIds nor allMatching, and both at once, with BAD_USER_INPUT', async () => {
    expect(badFieldsOf(await app.gql(BULK, {}, acme.token))).toEqual(['userIds']);
    expect(badFieldsOf(await app.gql(BULK, { userIds: [ben], allMatching: { search: 'b' } }, acme.token))).toEqual([
      'userIds',
    ]);
  });

  it('sends one welcome email per chosen user, and the progress reaches delivered == sent', async () => {
    const result = await app.gql(BULK, { userIds: [ben, bea] }, acme.token);
    expect(result.errors).toBeUndefined();
    const { bulkId, sent, skipped } = result.data!.sendWelcomeEmails;
    expect({ sent, skipped }).toEqual({ sent: 2, skipped: [] });

    const progress = await eventually(async () => {
      const p = (await app.gql(PROGRESS, { bulkId }, acme.token)).data?.bulkWelcomeProgress;
      return p?.delivered === sent && p;
    }, 'every bulk email to be delivered');
    expect(progress).toEqual({ total: 2, pending: 0, delivered: 2, failed: 0 });

    await settled(app);
    expect(welcomesTo(ben)).toHaveLength(1);
    expect(welcomesTo(bea)).toHaveLength(1);
    expect(welcomesTo(carl)).toHaveLength(0);
    expect(welcomesTo(ben)[0]!.to).toEqual(['ben@acme.example']);
  });

  it('sends to the users matching a search only', async () => {
    const result = await app.gql(BULK, { allMatching: { search: 'b' } }, acme.token);
    expect(result.data?.sendWelcomeEmails).toMatchObject({ sent: 2, skipped: [] });
    await settled(app);
    expect([welcomesTo(ben).length, welcomesTo(bea).length, welcomesTo(carl).length]).toEqual([1, 1, 0]);
  });

  it('sends to the users matching a status only', async () => {
    await app.gql(BULK, { userIds: [ben] }, acme.token);
    await settled(app); // the bulk answers before the read model shows it (by design, see below)
    const result = await app.gql(BULK, { allMatching: { status: ['NOT_INVITED'] } }, acme.token);
    expect(result.data?.sendWelcomeEmails).toMatchObject({ sent: 2, skipped: [] });
    await settled(app);
    expect([welcomesTo(ben).length, welcomesTo(bea).length, welcomesTo(carl).length]).toEqual([1, 1, 1]);
  });

  it('skips a user who completed setup, with a reason, and still sends to the others', async () => {
    const result = await app.gql(BULK, { userIds: [acme.managerId, carl] }, acme.token);
    expect(result.data?.sendWelcomeEmails).toMatchObject({
      sent: 1,
      skipped: [{ userId: acme.managerId, reason: 'Already completed setup.' }],
    });
  });

  it("skips unknown ids and another organization's users with the same reason, and sends them nothing", async () => {
    const globex = await app.organization('globex');
    const gus = (
      await createUser(app, globex.token, { name: 'Gus Globex', extension: '101', email: 'gus@globex.example' })
    ).id;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const result = await app.gql(BULK, { userIds: [gus, unknown, ben] }, acme.token);
    const { sent, skipped } = result.data!.sendWelcomeEmails;
    expect(sent).toBe(1);
    expect(skipped).toEqual([
      { userId: gus, reason: 'No such user in this organization.' },
      { userId: unknown, reason: 'No such user in this organization.' },
    ]);
    await settled(app);
    expect(welcomesTo(gus)).toHaveLength(0);
  });

  it('sends once to a user named twice', async () => {
    const result = await app.gql(BULK, { userIds: [ben, ben] }, acme.token);
    expect(result.data?.sendWelcomeEmails.sent).toBe(1);
    await settled(app);
    expect(welcomesTo(ben)).toHaveLength(1);
  });

  it('refuses more users than the bulk limit with BAD_USER_INPUT, and sends nothing', async () => {
    expect(badFieldsOf(await app.gql(BULK, { userIds: [ben, bea, carl, acme.managerId] }, acme.token))).toEqual([
      'userIds',
    ]);
    // four users match (the manager included): more than 3
    expect(badFieldsOf(await app.gql(BULK, { allMatching: {} }, acme.token))).toEqual(['allMatching']);
    await settled(app);
    expect([ben, bea, carl].flatMap(welcomesTo)).toHaveLength(0);
  });

  it('forbids users and auditors to send in bulk', async () => {
    const user = await activeUser(app, acme.token, { name: 'Ada User', extension: '104', email: 'ada@acme.example' });
    const auditor = await activeUser(app, acme.token, {
      name: 'Aud Itor',
      extension: '105',
      email: 'aud@acme.example',
      role: 'AUDITOR',
    });
    expect(codesOf(await app.gql(BULK, { userIds: [ben] }, user.token))).toEqual(['FORBIDDEN']);
    expect(codesOf(await app.gql(BULK, { userIds: [ben] }, auditor.token))).toEqual(['FORBIDDEN']);
  });

  it("shows nothing of another organization's bulk action", async () => {
    const { bulkId } = (await app.gql(BULK, { userIds: [ben] }, acme.token)).data!.sendWelcomeEmails;
    const globexToken = (await app.organization('globex')).token;
    await settled(app);
    expect((await app.gql(PROGRESS, { bulkId }, globexToken)).data?.bulkWelcomeProgress).toEqual({
      total: 0,
      pending: 0,
      delivered: 0,
      failed: 0,
    });
  });
});

describe('given Ben and Bea not yet invited, and a read model that takes its time to apply events', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: string, bea: string;
  let slow = false;
  beforeEach(async () => {
    const real = createSqliteReadModel({ path: ':memory:' });
    const readModel: ReadModel = {
      ...real,
      async apply(events) {
        if (slow) await new Promise((r) => setTimeout(r, 300));
        return real.apply(events);
      },
    };
    app = await createTestApp({ readModel });
    acme = await app.organization('acme');
    ben = (await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' })).id;
    bea = (await createUser(app, acme.token, { name: 'Bea Brown', extension: '102', email: 'bea@acme.example' })).id;
  });
  afterEach(async () => {
    slow = false;
    await app.stop();
  });

  // By design the bulk answers once its events are recorded (10,000 users in well under a second) and
  // does not wait for the read model; clients follow `bulkWelcomeProgress` until it counts every user.
  it('answers before the read model caught up; the progress then reaches the count and the users show INVITED', async () => {
    slow = true;
    const { bulkId, sent } = (await app.gql(BULK, { userIds: [ben, bea] }, acme.token)).data!.sendWelcomeEmails;
    expect(sent).toBe(2);
    slow = false;
    await eventually(
      async () => (await app.gql(PROGRESS, { bulkId }, acme.token)).data?.bulkWelcomeProgress.total === sent,
    );
    const notInvited = await app.gql(`{ users(status: [NOT_INVITED]) { edges { node { id } } } }`, {}, acme.token);
    expect(notInvited.data?.users.edges).toEqual([]);
  });
});
