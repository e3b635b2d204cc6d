import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ReadModel } from '../../projections/readModel.js';
import { readStoresForTests } from '../testing/readStores.js';
import { activeUser, codesOf, createTestApp, errorOf, type Manager, type TestApp } from '../testing/harness.js';
import { hashToken } from './sessions.js';

const MY_SESSIONS = `{ mySessions { id createdAt lastSeenAt userAgent current } }`;
const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) }`;
const ME = `{ me { id } }`;
const USERS = `{ users { totalCount } }`;

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';

interface Info {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  current: boolean;
}

async function sessionsOf(app: TestApp, token: string): Promise<Info[]> {
  const result = await app.gql<{ mySessions: Info[] }>(MY_SESSIONS, {}, token);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  // in-process answers carry the DateTime values unserialised
  const iso = (at: unknown) => new Date(at as string).toISOString();
  return result.data.mySessions.map((s) => ({ ...s, createdAt: iso(s.createdAt), lastSeenAt: iso(s.lastSeenAt) }));
}

const currentOf = async (app: TestApp, token: string) => (await sessionsOf(app, token)).find((s) => s.current)!;

describe('given Ben signed in on a laptop and then on a phone', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string; loginName: string };

  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
  });
  afterAll(async () => app.stop());

  // a second apart, so "newest first" has one answer
  const twoSessions = async () => {
    app.clock.advance(1_000);
    const laptop = await app.signIn(ben.loginName, undefined, FIREFOX_LINUX);
    app.clock.advance(1_000);
    const phone = await app.signIn(ben.loginName, undefined, SAFARI_IPHONE);
    return { laptop, phone };
  };

  it('lists his sessions newest first, the one asking marked current, each with a readable browser', async () => {
    const { laptop, phone } = await twoSessions();
    const fromPhone = await sessionsOf(app, phone);
    expect(fromPhone.slice(0, 2).map(({ userAgent, current }) => ({ userAgent, current }))).toEqual([
      { userAgent: 'Safari on iPhone', current: true },
      { userAgent: 'Firefox on Linux', current: false },
    ]);
    expect(Date.parse(fromPhone[0]!.createdAt)).toBeGreaterThan(Date.parse(fromPhone[1]!.createdAt));
    const fromLaptop = await sessionsOf(app, laptop);
    expect(fromLaptop.find((s) => s.current)?.id).toBe(fromPhone[1]!.id);
    // none of the office manager's sessions is among his
    expect(fromLaptop.map((s) => s.id)).not.toContain((await currentOf(app, acme.token)).id);
  });

  it('says "Unknown browser" for a session signed in without a User-Agent', async () => {
    const token = await app.signIn(ben.loginName);
    expect((await currentOf(app, token)).userAgent).toBe('Unknown browser');
  });

  it('ends another of his sessions at once on revokeSession, and the one asking goes on', async () => {
    const { laptop, phone } = await twoSessions();
    const laptopId = (await currentOf(app, laptop)).id;
    const revoked = await app.gql(REVOKE, { id: laptopId }, phone);
    expect(revoked).toEqual({ data: { revokeSession: true } });
    expect(codesOf(await app.gql(ME, {}, laptop))).toEqual(['UNAUTHENTICATED']);
    expect((await app.gql(ME, {}, phone)).data?.me.id).toBe(ben.id);
    expect((await sessionsOf(app, phone)).map((s) => s.id)).not.toContain(laptopId);
    // gone is gone: a second revoke finds nothing
    expect(codesOf(await app.gql(REVOKE, { id: laptopId }, phone))).toEqual(['NOT_FOUND']);
  });

  it('signs him out when he revokes the session he asks from', async () => {
    const { phone } = await twoSessions();
    const phoneId = (await currentOf(app, phone)).id;
    expect((await app.gql(REVOKE, { id: phoneId }, phone)).data?.revokeSession).toBe(true);
    expect(codesOf(await app.gql(ME, {}, phone))).toEqual(['UNAUTHENTICATED']);
  });

  it("answers NOT_FOUND alike for the manager's session id and an unknown one, and the manager's goes on", async () => {
    const { phone } = await twoSessions();
    const managersId = (await currentOf(app, acme.token)).id;
    const theirs = errorOf(await app.gql(REVOKE, { id: managersId }, phone), 'NOT_FOUND');
    const unknown = errorOf(await app.gql(REVOKE, { id: randomUUID() }, phone), 'NOT_FOUND');
    expect(theirs.message).toBe(unknown.message);
    expect(codesOf(await app.gql(REVOKE, { id: 'x'.repeat(500) }, phone))).toEqual(['NOT_FOUND']);
    expect((await app.gql(ME, {}, acme.token)).data?.me.id).toBe(acme.managerId);
  });

  it('never puts a token or a token hash into the answer', async () => {
    const { laptop, phone } = await twoSessions();
    const answer = JSON.stringify(await app.gql(MY_SESSIONS, {}, phone));
    for (const token of [laptop, phone]) {
      expect(answer).not.toContain(token);
      expect(answer).not.toContain(hashToken(token));
    }
    // and the ids are not the hashes either
    const ids = (await sessionsOf(app, phone)).map((s) => s.id);
    expect(ids).not.toContain(hashToken(phone));
  });

  it('answers UNAUTHENTICATED to someone not signed in', async () => {
    expect(codesOf(await app.gql(MY_SESSIONS))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await app.gql(REVOKE, { id: randomUUID() }))).toEqual(['UNAUTHENTICATED']);
  });

  it("takes the role from Ben's user view, not from what his session row says", async () => {
    // a session row claiming more than the account has (e.g. opened before a demotion)
    const token = `forged-${randomUUID()}`;
    const now = app.clock();
    await app.readModel.sessions.create({
      tokenHash: hashToken(token),
      id: randomUUID(),
      accountId: ben.id,
      organizationId: acme.organizationId,
      role: 'OFFICE_MANAGER',
      credentialVersion: 0,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      userAgent: 'Unknown browser',
      lastSeenAt: now.toISOString(),
    });
    expect((await app.gql(ME, {}, token)).data?.me.id).toBe(ben.id);
    expect(codesOf(await app.gql(USERS, {}, token))).toEqual(['FORBIDDEN']);
  });
});

describe('given Ben uses one session for a while', () => {
  let app: TestApp;
  let touches: number;
  afterEach(async () => app.stop());

  it('moves lastSeenAt once a minute has passed, and writes it at most once a minute', async () => {
    const stores = await readStoresForTests();
    const real = stores.readModel();
    touches = 0;
    const readModel: ReadModel = Object.assign(Object.create(real) as ReadModel, {
      sessions: { ...real.sessions, touch: async (id: string, at: Date) => (touches++, real.sessions.touch(id, at)) },
    });
    app = await createTestApp({ readModel, checkpoints: stores.checkpoints() });
    const acme = await app.organization('acme');
    const ben = await activeUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    // read from the store, so that looking is no request of the session's own
    const seen = async () => {
      await app.keyturn.services.background.idle();
      const stored = await real.sessions.listForAccount(ben.id, app.clock());
      return stored.map((s) => s.lastSeenAt);
    };
    const opened = (await currentOf(app, ben.token)).createdAt;
    const before = touches;
    for (let i = 0; i < 5; i++) {
      app.clock.advance(10_000);
      await app.gql(ME, {}, ben.token);
    }
    expect(await seen()).toEqual([opened]);
    expect(touches).toBe(before);

    app.clock.advance(10_000); // a minute and more since sign-in
    const minuteOn = app.clock().toISOString();
    await app.gql(ME, {}, ben.token);
    expect(await seen()).toEqual([minuteOn]);
    await app.gql(ME, {}, ben.token);
    app.clock.advance(30_000);
    await app.gql(ME, {}, ben.token);
    expect(await seen()).toEqual([minuteOn]);
    expect(touches).toBe(before + 1);
    expect((await currentOf(app, ben.token)).lastSeenAt).toBe(minuteOn);
  });
});
