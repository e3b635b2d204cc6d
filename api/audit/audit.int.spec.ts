import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPLETE_SETUP,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  resetEmailOf,
  sendWelcome,
  settled,
  setupInput,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const HOUR = 3_600_000;
const START = Date.parse('2026-11-26T09:00:00Z');
const at = (hours: number) => new Date(START + hours * HOUR).toISOString();

const AUDIT = `query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id type occurredAt userName userExtension actorKind actorName data user { id } actor { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const HISTORY = `query($id: ID!) { user(id: $id) { history { totalCount edges { node { id type } } } } }`;

type Entry = { id: string; type: string; occurredAt: Date; actorKind: string; actorName: string; data: Record<string, unknown>; user: { id: string } | null; actor: { id: string } | null };

describe('given Acme where, an hour apart, the manager onboarded, Ben was created and set up, and Ben reset his password; and Globex', () => {
  let app: TestApp;
  let acme: Manager;
  let globex: Manager;
  let ben: { id: string };
  const audit = async (variables: Record<string, unknown> = {}, token = acme.token) => {
    const result = await app.gql(AUDIT, variables, token);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.auditEvents as { totalCount: number; edges: { cursor: string; node: Entry }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
  const nodes = async (variables: Record<string, unknown> = {}) => (await audit({ first: 200, ...variables })).edges.map((e) => e.node);

  // The audit log only ever grows: one history, built once, serves every read below.
  beforeAll(async () => {
    app = await createTestApp({ sessionTtlMs: 7 * 24 * HOUR });
    acme = await app.organization('acme'); // 09:00
    await settled(app);
    app.clock.advance(HOUR); // 10:00
    ben = await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    const { token } = await sendWelcome(app, acme.token, ben.id);
    await app.gql(COMPLETE_SETUP, { input: setupInput(token) });
    await settled(app);
    app.clock.advance(HOUR); // 11:00
    await app.gql(`mutation { requestPasswordReset(email: "ben@acme.example") }`);
    const reset = await resetEmailOf(app, ben.id);
    const done = await app.gql(`mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`, {
      input: { token: reset.token, password: 'Another-Harbor-77', confirmPassword: 'Another-Harbor-77' },
    });
    if (done.errors) throw new Error(JSON.stringify(done.errors));
    globex = await app.organization('globex');
    await settled(app);
  });
  afterAll(async () => app.stop());

  it('lists the events newest first', async () => {
    const all = await nodes();
    const times = all.map((n) => n.occurredAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const stream = (await app.store.readStream(`account-${ben.id}`)).map((e) => e.id);
    const bens = all.filter((n) => n.user?.id === ben.id).map((n) => n.id);
    expect(bens).toEqual(stream.reverse());
  });

  it("filters by user: only that user's events", async () => {
    const bens = await nodes({ filter: { userId: ben.id } });
    expect(bens.length).toBeGreaterThanOrEqual(7);
    expect(bens.every((n) => n.user?.id === ben.id)).toBe(true);
    expect(bens.at(-1)!.type).toBe('AccountOpened');
  });

  it('filters by event types', async () => {
    const opened = await nodes({ filter: { types: ['AccountOpened'] } });
    expect(opened.map((n) => n.user?.id)).toEqual([ben.id, acme.managerId]);
    const changes = await nodes({ filter: { types: ['SetupCompleted', 'PasswordChanged'] } });
    expect(changes.map((n) => n.type)).toEqual(['PasswordChanged', 'SetupCompleted', 'SetupCompleted']);
  });

  it('filters by date range, both ends included', async () => {
    const tenOClock = await nodes({ filter: { from: at(1), to: new Date(START + 2 * HOUR - 1).toISOString() } });
    expect(tenOClock.length).toBeGreaterThan(0);
    expect(tenOClock.every((n) => n.occurredAt.toISOString() === at(1))).toBe(true);
    expect(tenOClock.map((n) => n.type)).toContain('AccountOpened');
    expect(tenOClock.map((n) => n.type)).not.toContain('PasswordChanged');

    const fromEleven = await nodes({ filter: { from: at(2) } });
    expect(new Set(fromEleven.map((n) => n.occurredAt.toISOString()))).toEqual(new Set([at(2)]));
    const untilNine = await nodes({ filter: { to: at(0) } });
    expect(untilNine.map((n) => n.type)).toContain('SetupCompleted');
    expect(untilNine.every((n) => n.occurredAt.toISOString() === at(0))).toBe(true);
  });

  it('refuses a start date after the end date with BAD_USER_INPUT', async () => {
    expect(badFieldsOf(await app.gql(AUDIT, { filter: { from: at(2), to: at(1) } }, acme.token))).toEqual(['from']);
  });

  it('never shows a password or PIN hash, in SetupCompleted, PasswordChanged or anywhere else', async () => {
    const all = await nodes();
    expect(all.map((n) => n.type)).toEqual(expect.arrayContaining(['SetupCompleted', 'PasswordChanged']));
    for (const node of all.filter((n) => n.type === 'SetupCompleted' || n.type === 'PasswordChanged')) {
      expect(Object.keys(node.data)).not.toContain('passwordHash');
      expect(Object.keys(node.data)).not.toContain('pinHash');
    }
    expect(JSON.stringify(all)).not.toContain('$argon2');
    // and the store does hold them: the check above would catch a leak
    const stored = (await app.store.readStream(`account-${ben.id}`)).map((e) => e.data);
    expect(JSON.stringify(stored)).toContain('$argon2');
  });

  it("names the office manager as the actor of a created user, the link holder for setup and the system for emails", async () => {
    const bens = await nodes({ filter: { userId: ben.id } });
    const opened = bens.find((n) => n.type === 'AccountOpened')!;
    expect(opened).toMatchObject({ actorName: 'acme Manager', actor: { id: acme.managerId }, userName: 'Ben Okafor', userExtension: '101' });
    expect(bens.find((n) => n.type === 'SetupCompleted')).toMatchObject({ actorName: 'Link holder', actor: null });
    expect(bens.find((n) => n.type === 'EmailDelivered')).toMatchObject({ actorName: 'System', actor: null });
  });

  it('names an anonymous request by email address as such, and the holder of the emailed link as the link holder', async () => {
    const bens = await nodes({ filter: { userId: ben.id } });
    const actorOf = (type: string) => bens.filter((n) => n.type === type).map((n) => [n.actorKind, n.actorName, n.actor]);
    expect(actorOf('ResetRequested')).toEqual([['EMAIL_REQUEST', 'Anonymous request', null]]);
    expect(actorOf('PasswordChanged')).toEqual([['LINK_HOLDER', 'Link holder', null]]);
    expect(actorOf('SetupCompleted')).toEqual([['LINK_HOLDER', 'Link holder', null]]);
    expect(actorOf('EmailDelivered').every(([kind]) => kind === 'SYSTEM')).toBe(true);
    expect(actorOf('AccountOpened')).toEqual([['ACCOUNT', 'acme Manager', { id: acme.managerId }]]);
  });

  it("lists a user's own events as user.history, the same as the audit log filtered by that user", async () => {
    const result = await app.gql(HISTORY, { id: ben.id }, acme.token);
    const history = result.data?.user.history;
    const filtered = await audit({ filter: { userId: ben.id } });
    expect(history.totalCount).toBe(filtered.totalCount);
    expect(history.edges.map((e: any) => e.node.id)).toEqual(filtered.edges.map((e) => e.node.id));
  });

  it('pages with first and after, without gaps or repeats', async () => {
    const all = (await nodes()).map((n) => n.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await audit({ first: 3, ...(after ? { after } : {}) });
      expect(page.totalCount).toBe(all.length);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it("never shows another organization's events", async () => {
    const all = await nodes();
    expect(all.some((n) => n.user?.id === globex.managerId)).toBe(false);
    expect((await audit({ filter: { userId: globex.managerId } })).totalCount).toBe(0);
    const theirs = await audit({ first: 200 }, globex.token);
    expect(theirs.edges.some((e) => e.node.user?.id === ben.id)).toBe(false);
  });

  it('forbids a USER to read the audit log', async () => {
    const benToken = await app.signIn('101@acme', 'Another-Harbor-77');
    expect(codesOf(await app.gql(AUDIT, {}, benToken))).toEqual(['FORBIDDEN']);
  });
});

describe('given one address used by Sam at Acme and by Sam at Globex, who asked for the login names', () => {
  let app: TestApp;
  let acme: Manager;
  let samAtAcme: { id: string };
  beforeAll(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    const globex = await app.organization('globex');
    samAtAcme = await createUser(app, acme.token, { name: 'Sam Acme', extension: '201', email: 'sam@example.com' });
    await createUser(app, globex.token, { name: 'Sam Globex', extension: '301', email: 'sam@example.com' });
    await app.gql(`mutation { requestLoginName(email: "sam@example.com") }`);
    await settled(app);
  });
  afterAll(async () => app.stop());

  it('records the request in the history of the Acme account, as an anonymous request by email address', async () => {
    const result = await app.gql(HISTORY, { id: samAtAcme.id }, acme.token);
    expect(result.data?.user.history.edges.map((e: any) => e.node.type)).toContain('LoginNameRequested');
    const audit = await app.gql(`{ auditEvents(filter: { types: ["LoginNameRequested"] }) { edges { node { actorKind actorName } } } }`, {}, acme.token);
    expect(audit.data?.auditEvents.edges.map((e: any) => e.node)).toEqual([{ actorKind: 'EMAIL_REQUEST', actorName: 'Anonymous request' }]);
  });

  it("keeps Acme's own login name in the request, and never shows another organization's", async () => {
    const result = await app.gql(`{ auditEvents(first: 200) { edges { node { type data } } } }`, {}, acme.token);
    expect(result.errors).toBeUndefined();
    const request = result.data?.auditEvents.edges.find((e: any) => e.node.type === 'LoginNameRequested');
    expect(request.node.data.loginNames).toEqual(['201@acme']);
    // neither Sam completed setup: the request says so, for Acme's login name only
    expect(request.node.data.pendingLoginNames).toEqual(['201@acme']);
    expect(JSON.stringify(result.data)).not.toContain('@globex');
  });
});
