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

describe('given Acme (bulk limit 3) with Ben, Bea and Carl not yet invited, active Ada, and Globex with Gus', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: string, bea: string, carl: string, ada: { id: string; token: string }, gus: string;
  const welcomesTo = (id: string) => app.outbox().filter((m) => m.kind === 'welcome' && m.metadata.accountId === id);

  beforeEach(async () => {
    app = await createTestApp({ maxBulk: 3 });
    acme = await app.organization('acme');
    ben = (await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' })).id;
    bea = (await createUser(app, acme.token, { name: 'Bea Brown', extension: '102', email: 'bea@acme.example' })).id;
    carl = (await createUser(app, acme.token, { name: 'Carl Diaz', extension: '103', email: 'carl@acme.example' })).id;
    ada = await activeUser(app, acme.token, { name: 'Ada Active', extension: '104', email: 'ada@acme.example' });
    const globex = await app.organization('globex');
    gus = (await createUser(app, globex.token, { name: 'Gus Globex', extension: '101', email: 'gus@globex.example' })).id;
  });
  afterEach(async () => app.stop());

  it('refuses neither userIds nor allMatching, and both at once, with BAD_USER_INPUT', async () => {
    expect(badFieldsOf(await app.gql(BULK, {}, acme.token))).toEqual(['userIds']);
    expect(badFieldsOf(await app.gql(BULK, { userIds: [ben], allMatching: { search: 'b' } }, acme.token))).toEqual(['userIds']);
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
    await settled(app); // the bulk answers before the read model shows it: see the BUG spec below
    const result = await app.gql(BULK, { allMatching: { status: ['NOT_INVITED'] } }, acme.token);
    expect(result.data?.sendWelcomeEmails).toMatchObject({ sent: 2, skipped: [] });
    await settled(app);
    expect([welcomesTo(ben).length, welcomesTo(bea).length, welcomesTo(carl).length]).toEqual([1, 1, 1]);
  });

  it('skips a user who completed setup, with a reason, and still sends to the others', async () => {
    const result = await app.gql(BULK, { userIds: [ada.id, carl] }, acme.token);
    expect(result.data?.sendWelcomeEmails).toMatchObject({ sent: 1, skipped: [{ userId: ada.id, reason: 'Already completed setup.' }] });
  });

  it("skips unknown ids and another organization's users with the same reason, and sends them nothing", async () => {
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
    expect(badFieldsOf(await app.gql(BULK, { userIds: [ben, bea, carl, ada.id] }, acme.token))).toEqual(['userIds']);
    // five users match (the manager and Ada included): more than 3
    expect(badFieldsOf(await app.gql(BULK, { allMatching: {} }, acme.token))).toEqual(['allMatching']);
    await settled(app);
    expect([ben, bea, carl].flatMap(welcomesTo)).toHaveLength(0);
  });

  it('forbids users and auditors to send in bulk', async () => {
    const auditor = await activeUser(app, acme.token, { name: 'Aud Itor', extension: '105', email: 'aud@acme.example', role: 'AUDITOR' });
    expect(codesOf(await app.gql(BULK, { userIds: [ben] }, ada.token))).toEqual(['FORBIDDEN']);
    expect(codesOf(await app.gql(BULK, { userIds: [ben] }, auditor.token))).toEqual(['FORBIDDEN']);
  });

  it("shows nothing of another organization's bulk action", async () => {
    const { bulkId } = (await app.gql(BULK, { userIds: [ben] }, acme.token)).data!.sendWelcomeEmails;
    const globexToken = await app.signIn('100@globex');
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

  // BUG: sendWelcomeEmails (api/users/users.resolver.ts:109-110) answers without waiting for the
  // projection, though the core hands back the position (BulkWelcomeOutcome.position); every other
  // mutation waits (afterWrite). Right after the answer, the users still show NOT_INVITED and the
  // progress counts 0 of 2, so "send to all not invited" pressed again re-sends to them and kills the
  // links just emailed. Fix: `await ctx.services.projector.waitFor(outcome.position)` before returning.
  it.fails('answers once the read model shows the bulk: the users are INVITED and the progress counts them', async () => {
    slow = true;
    const { bulkId, sent } = (await app.gql(BULK, { userIds: [ben, bea] }, acme.token)).data!.sendWelcomeEmails;
    const notInvited = await app.gql(`{ users(status: [NOT_INVITED]) { edges { node { id } } } }`, {}, acme.token);
    const progress = await app.gql(PROGRESS, { bulkId }, acme.token);
    expect(notInvited.data?.users.edges).toEqual([]);
    expect(progress.data?.bulkWelcomeProgress.total).toBe(sent);
  });
});
