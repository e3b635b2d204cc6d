import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountStatus, Page, ReadModel, SessionRecord, UserQuery, UserView } from './readModel.js';
import { eventLog, type EventLog } from './testing/events.js';
import { accountStream } from '../core/accounts/events.js';
import { testSearchAgreement } from './userSearch.contract.js';
import { StaleLeaseError } from '../core/eventStore/fencing.js';

export interface ReadModelContractOptions {
  /** a fresh, empty read model */
  factory: () => Promise<ReadModel>;
  /** rounds of random searches checked against the rule (see `userSearch.contract.ts`), default 12 */
  searchRounds?: number;
}

const HOUR = 3_600_000;
const names = (page: Page<UserView>) => page.edges.map((edge) => edge.node.name);

/** One suite, run against every adapter (SQLite here, MongoDB later): given events, when queried, then… */
export function testReadModelContract(name: string, options: ReadModelContractOptions) {
  describe(`read model contract: ${name}`, () => {
    let readModel: ReadModel;
    let log: EventLog;
    let org: string;
    /** applies what happened since the last call, as a subscription would deliver it */
    const projected = async () => readModel.apply(log.batch());
    const search = (query: Partial<UserQuery> = {}) =>
      readModel.users.search({ organizationId: org, first: 50, now: log.now(), ...query });
    const open = (userName: string, extension: string, extra: { email?: string; by?: string } = {}) =>
      log.accountOpened(org, { name: userName, extension, email: extra.email }, extra.by).data.accountId;

    beforeEach(async () => {
      readModel = await options.factory();
      log = eventLog();
      org = log.organizationRegistered().data.organizationId;
    });
    afterEach(async () => readModel.close());

    describe('given nothing was projected', () => {
      it('has no checkpoint and finds nobody', async () => {
        expect(await readModel.checkpoint()).toBeUndefined();
        expect(await search()).toEqual({ totalCount: 0, totalCountIsExact: true, edges: [], hasNextPage: false });
      });
    });

    describe('given an account was opened', () => {
      it('the user can be fetched and found', async () => {
        const opened = log.accountOpened(org, { name: 'Alice Martin', extension: '101', email: 'alice@acme.test' });
        await projected();
        const user = await readModel.users.get(org, opened.data.accountId);
        expect(user).toEqual({
          id: opened.data.accountId,
          organizationId: org,
          name: 'Alice Martin',
          extension: '101',
          loginName: '101@acme',
          email: 'alice@acme.test',
          role: 'USER',
          revision: 0,
        });
        expect((await search()).edges.map((e) => e.node)).toEqual([user]);
      });

      it('the checkpoint is the last position of the batch, even when that event was ignored', async () => {
        open('Alice', '101');
        const reservation = log.record(`extension-${org}-101`, 'ExtensionReserved', { accountId: 'x' });
        await projected();
        expect(await readModel.checkpoint()).toBe(reservation.position);
        await readModel.apply([]);
        expect(await readModel.checkpoint()).toBe(reservation.position);
      });
    });

    describe('given users with awkward names', () => {
      beforeEach(async () => {
        for (const [userName, ext] of [
          ['Alice Martin', '101'],
          ['bob MARTINEZ', '102'],
          ['Carol King', '201'],
          ['Eve Stone', '210'],
          ['100% Sales', '301'],
          ['Front_Desk', '302'],
          ['Back\\Office', '303'],
        ]) {
          open(userName!, ext!);
        }
        await projected();
      });

      it('finds a name fragment in any case, ordered by name', async () => {
        expect(names(await search({ search: 'MARTIN' }))).toEqual(['Alice Martin', 'bob MARTINEZ']);
        expect(names(await search({ search: '  tin ' }))).toEqual(['Alice Martin', 'bob MARTINEZ']);
      });

      it('finds an extension by prefix only', async () => {
        expect(names(await search({ search: '20' }))).toEqual(['Carol King']);
        expect(names(await search({ search: '10' }))).toEqual(['100% Sales', 'Alice Martin', 'bob MARTINEZ']);
      });

      it('treats %, _, \\ and .* as plain characters, never as a pattern', async () => {
        expect(names(await search({ search: '%' }))).toEqual(['100% Sales']);
        expect(names(await search({ search: '_' }))).toEqual(['Front_Desk']);
        expect(names(await search({ search: '\\' }))).toEqual(['Back\\Office']);
        expect(names(await search({ search: '.*' }))).toEqual([]);
        expect(names(await search({ search: 'a%' }))).toEqual([]);
      });

      it('lists the ids of every match, up to a limit', async () => {
        const all = await search({ search: 'o' });
        const ids = all.edges.map((e) => e.node.id);
        expect(ids.length).toBeGreaterThan(2);
        const query = { organizationId: org, search: 'o', now: log.now() };
        expect(await readModel.users.matchingIds(query, 100)).toEqual(ids);
        expect(await readModel.users.matchingIds(query, 2)).toEqual(ids.slice(0, 2));
      });
    });

    describe('given a directory to search', () => {
      beforeEach(async () => {
        for (const [userName, ext] of [
          ['Ada Lovelace', '100'],
          ['Lovelace Ada', '101'],
          ['Ada King', '102'],
          ['Grace Hopper', '103'],
          ['Maya Angelou', '104'],
          ['Yusuf Ali', '2100'],
          ["Dana O'Brien", '105'],
          ['"Doc" Brown', '106'],
          ['Sandy AND Co', '107'],
          ['Room 1003', '300'],
          ['Ünal Çelik', '301'],
        ]) {
          open(userName!, ext!);
        }
        await projected();
      });
      const find = async (term: string, query: Partial<UserQuery> = {}) =>
        names(await search({ search: term, ...query }));

      it('one word finds it anywhere in the name, in any case', async () => {
        expect(await find('LOVE')).toEqual(['Ada Lovelace', 'Lovelace Ada']);
        expect(await find('opp')).toEqual(['Grace Hopper']);
        expect(await find('ünal')).toEqual(['Ünal Çelik']);
      });

      it('two words find names holding both, in either order', async () => {
        expect(await find('ada love')).toEqual(['Ada Lovelace', 'Lovelace Ada']);
        expect(await find('love   ada')).toEqual(['Ada Lovelace', 'Lovelace Ada']);
        expect(await find('ada kin')).toEqual(['Ada King']);
        expect(await find('ada zzz')).toEqual([]);
        expect(await find('ada ad')).toEqual(['Ada King', 'Ada Lovelace', 'Lovelace Ada']);
      });

      it('one or two letters match anywhere too', async () => {
        expect(await find('y')).toEqual(['Maya Angelou', 'Sandy AND Co', 'Yusuf Ali']);
        expect(await find('g')).toEqual(['Ada King', 'Grace Hopper', 'Maya Angelou']);
        expect(await find('ce')).toEqual(['Ada Lovelace', 'Grace Hopper', 'Lovelace Ada']);
      });

      it('digits find extensions by prefix and names holding them', async () => {
        expect(await find('10')).toEqual([
          '"Doc" Brown',
          'Ada King',
          'Ada Lovelace',
          "Dana O'Brien",
          'Grace Hopper',
          'Lovelace Ada',
          'Maya Angelou',
          'Room 1003',
          'Sandy AND Co',
        ]);
        expect(await find('21')).toEqual(['Yusuf Ali']);
        expect(await find('003')).toEqual(['Room 1003']);
        expect(await find('1000')).toEqual([]);
      });

      it('a login name finds its user from the "@" on, whatever the case', async () => {
        for (const term of ['100@acme', '100@', '100@ac', ' 100@ACME '])
          expect(await find(term)).toEqual(['Ada Lovelace']);
        expect(await find('100@acme.test')).toEqual([]);
        expect(await find('100@other')).toEqual([]);
        expect(await find('10@acme')).toEqual([]);
        expect(await find('2100@acme')).toEqual(['Yusuf Ali']);
      });

      it('finds nobody for a term no one has', async () => {
        expect(await search({ search: 'zebra' })).toEqual({
          totalCount: 0,
          totalCountIsExact: true,
          edges: [],
          hasNextPage: false,
        });
      });

      it('search syntax of the stores is plain text', async () => {
        expect(await find('"doc"')).toEqual(['"Doc" Brown']);
        expect(await find('"')).toEqual(['"Doc" Brown']);
        expect(await find("o'b")).toEqual(["Dana O'Brien"]);
        expect(await find('AND')).toEqual(['Sandy AND Co']);
        for (const term of ['NEAR(', 'ada*', '^ada', 'a.a', '(a)', '[a]', '{1}', 'a|b', '$', 'ada OR king', '-ada']) {
          expect(await find(term)).toEqual([]);
        }
      });

      it('control characters separate words, as spaces do', async () => {
        expect(await find('ada\u0000love')).toEqual(['Ada Lovelace', 'Lovelace Ada']);
        expect(await find('\u0007')).toHaveLength(11);
      });

      it('pages through a search with cursors', async () => {
        const first = await search({ search: 'a', first: 4 });
        const second = await search({ search: 'a', first: 4, after: first.endCursor });
        const third = await search({ search: 'a', first: 4, after: second.endCursor });
        const all = await search({ search: 'a' });
        expect([first, second, third].map((p) => [p.totalCount, p.edges.length, p.hasNextPage])).toEqual([
          [9, 4, true],
          [9, 4, true],
          [9, 1, false],
        ]);
        expect([first, second, third].flatMap(names)).toEqual(names(all));
        expect(await readModel.users.matchingIds({ organizationId: org, search: 'a', now: log.now() }, 100)).toEqual(
          all.edges.map((e) => e.node.id),
        );
      });
    });

    describe('given more matches than a count goes to', () => {
      beforeEach(async () => {
        for (let i = 0; i < 1000; i += 1) open(`Person ${i}`, String(10_000 + i));
        log.setupCompleted(log.welcomeEmailSent(open('Zed Person', '20000')));
        await projected();
      });
      const counted = async (query: Partial<UserQuery>) => {
        const page = await search({ first: 10, ...query });
        return [page.totalCount, page.totalCountIsExact, page.edges.length, page.hasNextPage];
      };

      it('counts to 1,000 and says that there are more', async () => {
        for (const term of [undefined, 'person', 'p', 'o n'])
          expect(await counted({ search: term })).toEqual([1000, false, 10, true]);
        const first = await search({ search: 'person', first: 10 });
        expect(await counted({ search: 'person', after: first.endCursor })).toEqual([1000, false, 10, true]);
      });

      it('counts exactly up to 1,000', async () => {
        expect(await counted({ search: 'person', status: ['NOT_INVITED'] })).toEqual([1000, true, 10, true]);
        expect(await counted({ search: '1' })).toEqual([1000, true, 10, true]);
        expect(await counted({ search: '100' })).toEqual([101, true, 10, true]);
        expect(await counted({ search: 'person', status: ['ACTIVE'] })).toEqual([1, true, 1, false]);
      });
    });

    describe('given users in every state of setup', () => {
      let expiresAt: Date;
      beforeEach(async () => {
        open('Nina NotInvited', '101');
        log.welcomeEmailSent(open('Ivan Invited', '102'));
        expiresAt = new Date(log.now().getTime() + HOUR);
        log.welcomeEmailSent(open('Emma Expiring', '103'), { expiresAt });
        log.setupCompleted(log.welcomeEmailSent(open('Anna Active', '104')));
        await projected();
      });
      const byStatus = (status: AccountStatus[], now: Date) => search({ status, now }).then(names);

      it('filters on the status as of `now`', async () => {
        expect(await byStatus(['NOT_INVITED'], log.now())).toEqual(['Nina NotInvited']);
        expect(await byStatus(['INVITED'], log.now())).toEqual(['Emma Expiring', 'Ivan Invited']);
        expect(await byStatus(['ACTIVE', 'NOT_INVITED'], log.now())).toEqual(['Anna Active', 'Nina NotInvited']);
        expect(await byStatus([], log.now())).toHaveLength(4);
      });

      it('an invite becomes INVITE_EXPIRED from the moment its link expires', async () => {
        const justBefore = new Date(expiresAt.getTime() - 1);
        expect(await byStatus(['INVITE_EXPIRED'], justBefore)).toEqual([]);
        expect(await byStatus(['INVITE_EXPIRED'], expiresAt)).toEqual(['Emma Expiring']);
        const twoDaysLater = new Date(log.now().getTime() + 48 * HOUR);
        expect(await byStatus(['INVITE_EXPIRED'], twoDaysLater)).toEqual(['Emma Expiring', 'Ivan Invited']);
        expect((await search({ status: ['INVITED', 'INVITE_EXPIRED'], now: twoDaysLater })).totalCount).toBe(2);
      });

      it('combines the status filter with a search', async () => {
        expect(names(await search({ search: 'n', status: ['INVITED'] }))).toEqual(['Emma Expiring', 'Ivan Invited']);
        expect(names(await search({ search: '104', status: ['ACTIVE'] }))).toEqual(['Anna Active']);
        expect(names(await search({ search: 'invited n', status: ['NOT_INVITED', 'INVITED'] }))).toEqual([
          'Ivan Invited',
          'Nina NotInvited',
        ]);
        expect(names(await search({ search: '102@acme', status: ['INVITED'] }))).toEqual(['Ivan Invited']);
        expect(names(await search({ search: '102@acme', status: ['ACTIVE'] }))).toEqual([]);
        const query = {
          organizationId: org,
          search: 'a',
          status: ['ACTIVE', 'INVITED'] as AccountStatus[],
          now: log.now(),
        };
        expect((await readModel.users.matchingIds(query, 10)).length).toBe(3);
      });
    });

    describe('given movers and leavers', () => {
      let ids: { mover: string; leaver: string; erased: string; manager: string };
      const on = (id: string, type: string, data: unknown, actor = 'acc-mia') =>
        log.record(accountStream(id), type, data, { actor });
      beforeEach(async () => {
        ids = {
          mover: open('Maya Mover', '101', { email: 'maya@acme.test' }),
          leaver: open('Leo Leaver', '102'),
          erased: open('Erin Erased', '103', { email: 'erin@acme.test' }),
          manager: log.accountOpened(org, { name: 'Mia Manager', extension: '100', role: 'OFFICE_MANAGER' }).data
            .accountId,
        };
        log.welcomeEmailSent(ids.leaver);
        on(ids.mover, 'AccountRenamed', { name: 'Maya Moved', previousName: 'Maya Mover', by: 'acc-mia' });
        on(ids.mover, 'RoleChanged', { role: 'AUDITOR', previousRole: 'USER', by: 'acc-mia' });
        on(ids.mover, 'ExtensionChanged', {
          from: '101',
          to: '141',
          loginName: '141@acme',
          previousLoginName: '101@acme',
          by: 'acc-mia',
          noticeId: randomUUID(),
          recipients: ['maya@acme.test'],
        });
        on(ids.leaver, 'AccountDeactivated', { by: 'acc-mia' });
        on(ids.erased, 'AccountDeactivated', { by: 'acc-mia' });
        on(ids.erased, 'AccountErased', { by: 'acc-mia' });
        await projected();
      });

      it('shows the new name, role, extension and login name, and finds the user by them', async () => {
        expect(await readModel.users.get(org, ids.mover)).toMatchObject({
          name: 'Maya Moved',
          role: 'AUDITOR',
          extension: '141',
          loginName: '141@acme',
        });
        expect(names(await search({ search: '141' }))).toEqual(['Maya Moved']);
        expect(names(await search({ search: 'moved' }))).toEqual(['Maya Moved']);
        expect(names(await search({ search: 'mover' }))).toEqual([]);
      });

      it('filters on DEACTIVATED, and leaves deactivated users out of every other status', async () => {
        expect(names(await search({ status: ['DEACTIVATED'] }))).toEqual(['Erased user', 'Leo Leaver']);
        expect(names(await search({ status: ['INVITED', 'NOT_INVITED', 'INVITE_EXPIRED', 'ACTIVE'] }))).toEqual([
          'Maya Moved',
          'Mia Manager',
        ]);
      });

      it('keeps nothing personal of an erased user, nor finds them by it', async () => {
        const view = await readModel.users.get(org, ids.erased);
        expect(view).toMatchObject({ name: 'Erased user', email: '', extension: '', loginName: '' });
        expect(view?.secondaryEmail).toBeUndefined();
        expect(view?.lastEmail).toBeUndefined();
        expect(view?.erasedAt).toBeDefined();
        expect(names(await search({ search: 'erin' }))).toEqual([]);
        expect(await readModel.users.ownersOfEmail('erin@acme.test', log.now())).toEqual([]);
      });

      it('reactivation lifts DEACTIVATED; a pending user whose link died is NOT_INVITED', async () => {
        on(ids.leaver, 'AccountReactivated', { by: 'acc-mia' });
        await projected();
        expect(names(await search({ status: ['NOT_INVITED'] }))).toEqual(['Leo Leaver', 'Maya Moved', 'Mia Manager']);
        expect(names(await search({ status: ['DEACTIVATED'] }))).toEqual(['Erased user']);
      });

      it('names the users with a role', async () => {
        expect(await readModel.users.idsWithRole(org, 'OFFICE_MANAGER')).toEqual([ids.manager]);
        expect(await readModel.users.idsWithRole(org, 'AUDITOR')).toEqual([ids.mover]);
      });

      it('gives the same views when every event is delivered a second time', async () => {
        const before = await Promise.all(Object.values(ids).map((id) => readModel.users.get(org, id)));
        await readModel.apply(log.all());
        expect(await Promise.all(Object.values(ids).map((id) => readModel.users.get(org, id)))).toEqual(before);
      });
    });

    describe('given seven users, two of them with the same name', () => {
      let expected: string[];
      beforeEach(async () => {
        for (const [userName, ext] of [
          ['Sam Lee', '11'],
          ['anna', '12'],
          ['Zoe', '13'],
          ['Sam Lee', '14'],
          ['Anna B', '15'],
          ['mike', '16'],
          ['Bert', '17'],
        ]) {
          open(userName!, ext!);
        }
        await projected();
        const everyone = (await search()).edges.map((e) => e.node);
        const key = (u: UserView) => `${u.name.toLowerCase()}\u0000${u.id}`;
        expected = [...everyone].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map((u) => u.id);
        expect(everyone.map((u) => u.id)).toEqual(expected);
      });

      it('pages through in three pages with stable cursors and the full total', async () => {
        const first = await search({ first: 3 });
        const second = await search({ first: 3, after: first.endCursor });
        const third = await search({ first: 3, after: second.endCursor });
        expect([first, second, third].map((p) => [p.totalCount, p.edges.length, p.hasNextPage])).toEqual([
          [7, 3, true],
          [7, 3, true],
          [7, 1, false],
        ]);
        expect([first, second, third].flatMap((p) => p.edges.map((e) => e.node.id))).toEqual(expected);
        expect(second.edges[0]!.cursor).not.toBe(first.endCursor);
        expect(first.endCursor).toBe(first.edges[2]!.cursor);
        expect(await search({ first: 3, after: first.endCursor })).toEqual(second);
      });

      it('a cursor keeps its place when users are added before it', async () => {
        const first = await search({ first: 3 });
        const second = await search({ first: 3, after: first.endCursor });
        open('Aaron', '18');
        await projected();
        const again = await search({ first: 3, after: first.endCursor });
        expect(again.edges.map((e) => e.node.id)).toEqual(second.edges.map((e) => e.node.id));
        expect(again.totalCount).toBe(8);
      });

      it('rejects a cursor it did not make', async () => {
        await expect(search({ after: 'not-a-cursor' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      });

      it('returns at least one user per page', async () => {
        expect((await search({ first: 0 })).edges).toHaveLength(1);
        expect((await search({ first: -3 })).edges).toHaveLength(1);
      });
    });

    describe('given more users than the largest page', () => {
      it('returns at most 200 per page', async () => {
        for (let i = 0; i < 201; i += 1) open(`User ${i}`, String(1000 + i));
        await projected();
        const page = await search({ first: 1000 });
        expect([page.edges.length, page.totalCount, page.hasNextPage]).toEqual([200, 201, true]);
      });
    });

    describe('given two organizations with look-alike users', () => {
      let ours: string;
      let theirs: string;
      let other: string;
      beforeEach(async () => {
        ours = open('Alice Martin', '101');
        log.welcomeEmailSent(ours, { bulkId: 'bulk-same' });
        other = log.organizationRegistered({ name: 'Other', domain: 'other' }).data.organizationId;
        theirs = log.accountOpened(other, { name: 'Alice Martin', extension: '101', domain: 'other' }).data.accountId;
        log.welcomeEmailSent(theirs, { bulkId: 'bulk-same' });
        await projected();
      });

      it('no query of one organization returns the other one’s users or history', async () => {
        for (const term of [undefined, 'alice', '101']) {
          expect((await search({ search: term })).edges.map((e) => e.node.id)).toEqual([ours]);
        }
        expect(await readModel.users.matchingIds({ organizationId: org, now: log.now() }, 10)).toEqual([ours]);
        expect(await readModel.users.get(org, theirs)).toBeUndefined();
        expect((await readModel.users.getMany(org, [theirs, ours])).map((u) => u.id)).toEqual([ours]);
        expect((await readModel.users.bulkProgress(org, 'bulk-same')).total).toBe(1);
        const history = await readModel.audit.list({ organizationId: org, first: 50 });
        expect(history.edges.every((e) => e.node.organizationId === org && e.node.accountId !== theirs)).toBe(true);
        expect(history.totalCount).toBe(3);
      });

      it('fetches several users in the order asked, skipping unknown ids', async () => {
        const bob = open('Bob', '102');
        await projected();
        const users = await readModel.users.getMany(org, [bob, 'missing', ours, bob]);
        expect(users.map((u) => u.name)).toEqual(['Bob', 'Alice Martin']);
      });
    });

    describe('given a user whose emails go out and come back', () => {
      it('shows the last email moving from PENDING to DELIVERED, and a newer one to FAILED', async () => {
        const alice = open('Alice', '101');
        const welcome = log.welcomeEmailSent(alice);
        await projected();
        expect((await readModel.users.get(org, alice))!.lastEmail).toMatchObject({
          kind: 'welcome',
          status: 'PENDING',
        });

        const delivered = log.emailDelivered(welcome);
        await projected();
        expect((await readModel.users.get(org, alice))!.lastEmail).toMatchObject({
          refId: welcome.data.inviteId,
          status: 'DELIVERED',
          at: delivered.metadata.occurredAt,
        });

        const again = log.welcomeEmailSent(alice);
        const failed = log.emailDeliveryFailed(again, 'Hard bounce');
        await projected();
        expect((await readModel.users.get(org, alice))!.lastEmail).toMatchObject({
          refId: again.data.inviteId,
          status: 'FAILED',
          error: 'Hard bounce',
          at: failed.metadata.occurredAt,
        });
      });

      it('a late outcome of an older email does not overwrite the newer one', async () => {
        const alice = open('Alice', '101');
        const older = log.welcomeEmailSent(alice);
        const newer = log.welcomeEmailSent(alice);
        log.emailDelivered(older);
        await projected();
        expect((await readModel.users.get(org, alice))!.lastEmail).toMatchObject({
          refId: newer.data.inviteId,
          status: 'PENDING',
        });
      });
    });

    describe('given a batch that is delivered twice', () => {
      const snapshot = async () => ({
        users: await search(),
        audit: await readModel.audit.list({ organizationId: org, first: 200 }),
      });

      it('the second delivery changes nothing', async () => {
        const alice = open('Alice', '101');
        const welcome = log.welcomeEmailSent(alice, { bulkId: 'b1' });
        log.emailDelivered(welcome);
        log.secondaryEmailAdded(alice, 'alice@home.test');
        const batch = log.batch();
        await readModel.apply(batch);
        const once = await snapshot();
        await readModel.apply(batch);
        expect(await snapshot()).toEqual(once);
        expect(once.audit.totalCount).toBe(5);
      });

      it('an older event delivered again after newer ones does not roll the user back', async () => {
        const alice = open('Alice', '101');
        const welcome = log.welcomeEmailSent(alice);
        log.emailDelivered(welcome);
        await projected();
        await readModel.apply([welcome]);
        expect((await readModel.users.get(org, alice))!.lastEmail!.status).toBe('DELIVERED');
      });
    });

    describe('given the history of an account', () => {
      let manager: string;
      let alice: string;
      let registered: string;
      beforeEach(async () => {
        manager = open('Mia Manager', '100');
        alice = open('Alice Martin', '101', { by: manager });
        const welcome = log.welcomeEmailSent(alice, { by: manager });
        log.setupCompleted(welcome);
        log.passwordChanged(log.resetRequested(alice));
        log.designatedEmailChanged(alice, 'alice@new.test', alice);
        log.record(`extension-${org}-101`, 'ExtensionReserved', { accountId: alice });
        log.record(`account-${alice}`, 'SomethingFromTheFuture', { note: 'kept in the history' });
        registered = log.all()[0]!.id;
        await projected();
      });
      const list = (query: Partial<Parameters<ReadModel['audit']['list']>[0]> = {}) =>
        readModel.audit.list({ organizationId: org, first: 50, ...query });
      const types = async (query: Parameters<typeof list>[0] = {}) => (await list(query)).edges.map((e) => e.node.type);

      it('lists every account and organization event, newest first, reservations left out', async () => {
        expect(await types()).toEqual([
          'SomethingFromTheFuture',
          'DesignatedEmailChanged',
          'PasswordChanged',
          'ResetRequested',
          'SetupCompleted',
          'WelcomeEmailSent',
          'AccountOpened',
          'AccountOpened',
          'OrganizationRegistered',
        ]);
        const oldest = (await list()).edges.at(-1)!.node;
        expect(oldest).toMatchObject({ id: registered, organizationId: org, actorId: 'system' });
        expect(oldest).not.toHaveProperty('accountId');
      });

      it('names the subject and the actor as they were when it happened', async () => {
        const welcome = (await list({ types: ['WelcomeEmailSent'] })).edges[0]!.node;
        expect(welcome).toMatchObject({
          accountId: alice,
          accountName: 'Alice Martin',
          accountExtension: '101',
          actorId: manager,
          actorName: 'Mia Manager',
        });
        const opened = (await list({ accountId: alice, types: ['AccountOpened'] })).edges[0]!.node;
        expect(opened).toMatchObject({ accountName: 'Alice Martin', actorName: 'Mia Manager' });
        expect(opened.data).toMatchObject({ name: 'Alice Martin', openedBy: manager });
      });

      it('never shows password or PIN hashes', async () => {
        const entries = (await list()).edges.map((e) => e.node);
        const setup = entries.find((e) => e.type === 'SetupCompleted')!;
        expect(Object.keys(setup.data)).toEqual(['inviteId']);
        expect(entries.find((e) => e.type === 'PasswordChanged')!.data).not.toHaveProperty('passwordHash');
        expect(JSON.stringify(entries)).not.toMatch(/hash/i);
      });

      it('filters by account, types, actor and an inclusive time range', async () => {
        expect(await types({ accountId: manager })).toEqual(['AccountOpened']);
        expect(await types({ types: ['SetupCompleted', 'ResetRequested'] })).toEqual([
          'ResetRequested',
          'SetupCompleted',
        ]);
        expect(await types({ actorId: manager })).toEqual(['WelcomeEmailSent', 'AccountOpened']);
        const at = (type: string) => new Date(log.all().find((e) => e.type === type)!.metadata.occurredAt);
        expect(await types({ from: at('WelcomeEmailSent'), to: at('ResetRequested') })).toEqual([
          'ResetRequested',
          'SetupCompleted',
          'WelcomeEmailSent',
        ]);
        expect(await types({ accountId: alice, actorId: alice })).toEqual(['DesignatedEmailChanged']);
      });

      it('pages newest first with cursors and the full total', async () => {
        const first = await list({ first: 4 });
        const second = await list({ first: 4, after: first.endCursor });
        const third = await list({ first: 4, after: second.endCursor });
        expect([first, second, third].map((p) => [p.totalCount, p.edges.length, p.hasNextPage])).toEqual([
          [9, 4, true],
          [9, 4, true],
          [9, 1, false],
        ]);
        expect([first, second, third].flatMap((p) => p.edges.map((e) => e.node.type))).toEqual(await types());
        await expect(list({ after: 'nope' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      });
    });

    describe('given one address used in two organizations', () => {
      it('finds every owner, designated or second email, whatever the case', async () => {
        const address = `shared-${randomUUID()}@example.test`;
        const ours = open('Alice', '101', { email: address.toUpperCase() });
        log.setupCompleted(log.welcomeEmailSent(ours));
        const other = log.organizationRegistered({ domain: 'other' }).data.organizationId;
        const theirs = log.accountOpened(other, { name: 'Al', extension: '555', domain: 'other' }).data.accountId;
        log.secondaryEmailAdded(theirs, address);
        open('Bob', '102');
        await projected();
        const owners = await readModel.users.ownersOfEmail(` ${address} `, log.now());
        expect(owners.sort((a, b) => a.loginName.localeCompare(b.loginName))).toEqual([
          { accountId: ours, organizationId: org, loginName: '101@acme', status: 'ACTIVE' },
          { accountId: theirs, organizationId: other, loginName: '555@other', status: 'NOT_INVITED' },
        ]);

        log.secondaryEmailRemoved(theirs);
        log.designatedEmailChanged(ours, 'elsewhere@example.test');
        await projected();
        expect(await readModel.users.ownersOfEmail(address, log.now())).toEqual([]);
      });
    });

    describe('given a bulk welcome in progress', () => {
      it('counts the last email of each user sent by that bulk action', async () => {
        const [delivered, failed, pending, replaced] = ['A', 'B', 'C', 'D'].map((n, i) => open(n, `10${i}`));
        const sent = [delivered, failed, pending, replaced].map((id) =>
          log.welcomeEmailSent(id!, { bulkId: 'bulk-1' }),
        );
        log.emailDelivered(sent[0]!);
        log.emailDeliveryFailed(sent[1]!);
        // Documented limit: a newer email replaces the bulk one on the user, which then leaves the count.
        log.welcomeEmailSent(replaced!);
        log.welcomeEmailSent(open('E', '105'), { bulkId: 'bulk-2' });
        await projected();
        expect(await readModel.users.bulkProgress(org, 'bulk-1')).toEqual({
          total: 3,
          pending: 1,
          delivered: 1,
          failed: 1,
        });
        expect(await readModel.users.bulkProgress(org, 'unknown')).toEqual({
          total: 0,
          pending: 0,
          delivered: 0,
          failed: 0,
        });
      });
    });

    describe('given sessions', () => {
      const now = new Date('2025-03-03T10:00:00.000Z');
      const session = (accountId: string, expiresInMs: number, createdAt = now): SessionRecord => ({
        tokenHash: randomUUID(),
        id: randomUUID(),
        accountId,
        organizationId: 'org-1',
        role: 'OFFICE_MANAGER',
        credentialVersion: 2,
        createdAt: createdAt.toISOString(),
        expiresAt: new Date(createdAt.getTime() + expiresInMs).toISOString(),
        userAgent: 'Firefox on Linux',
        lastSeenAt: createdAt.toISOString(),
      });
      const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

      it('returns a live session and nothing once it has expired', async () => {
        const live = session('acc-1', HOUR);
        await readModel.sessions.create(live);
        expect(await readModel.sessions.get(live.tokenHash, now)).toEqual(live);
        expect(await readModel.sessions.get(live.tokenHash, new Date(live.expiresAt))).toBeUndefined();
        expect(await readModel.sessions.get('unknown', now)).toBeUndefined();
      });

      it('deletes one session, or every session of an account', async () => {
        const [a1, a2, b1] = [session('acc-1', HOUR), session('acc-1', HOUR), session('acc-2', HOUR)];
        for (const s of [a1, a2, b1]) await readModel.sessions.create(s);
        await readModel.sessions.delete(b1.tokenHash);
        expect(await readModel.sessions.get(b1.tokenHash, now)).toBeUndefined();
        const b2 = session('acc-2', HOUR);
        await readModel.sessions.create(b2);
        await readModel.sessions.deleteForAccount('acc-1');
        expect(await readModel.sessions.get(a1.tokenHash, now)).toBeUndefined();
        expect(await readModel.sessions.get(a2.tokenHash, now)).toBeUndefined();
        expect(await readModel.sessions.get(b2.tokenHash, now)).toEqual(b2);
      });

      it('ends the sessions of an account opened before a time, and keeps later ones and other accounts', async () => {
        const earlier = session('acc-3', HOUR, new Date(now.getTime() - 60_000));
        const later = session('acc-3', HOUR, new Date(now.getTime() + 1));
        const other = session('acc-4', HOUR, new Date(now.getTime() - 60_000));
        for (const s of [earlier, later, other]) await readModel.sessions.create(s);
        await readModel.sessions.endOpenedBefore('acc-3', now.toISOString());
        expect(await readModel.sessions.get(earlier.tokenHash, now)).toBeUndefined();
        expect(await readModel.sessions.get(later.tokenHash, now)).toEqual(later);
        expect(await readModel.sessions.get(other.tokenHash, now)).toEqual(other);
      });

      it("lists an account's unexpired sessions newest first, and no one else's", async () => {
        const oldest = session('acc-5', HOUR, minutes(-30));
        const newest = session('acc-5', HOUR, minutes(-1));
        const expired = session('acc-5', 10 * 60_000, minutes(-20));
        const middle = session('acc-5', HOUR, minutes(-10));
        const stranger = session('acc-6', HOUR, minutes(-5));
        for (const s of [oldest, newest, expired, middle, stranger]) await readModel.sessions.create(s);
        expect(await readModel.sessions.listForAccount('acc-5', now)).toEqual([newest, middle, oldest]);
        expect(await readModel.sessions.listForAccount('acc-none', now)).toEqual([]);
      });

      it('finds a session by its id until it expires', async () => {
        const live = session('acc-1', HOUR);
        await readModel.sessions.create(live);
        expect(await readModel.sessions.getById(live.id, now)).toEqual(live);
        expect(await readModel.sessions.getById(live.id, new Date(live.expiresAt))).toBeUndefined();
        expect(await readModel.sessions.getById(live.tokenHash, now)).toBeUndefined();
        expect(await readModel.sessions.getById(randomUUID(), now)).toBeUndefined();
      });

      it('deletes a session by id only for its own account', async () => {
        const mine = session('acc-1', HOUR);
        const theirs = session('acc-2', HOUR);
        for (const s of [mine, theirs]) await readModel.sessions.create(s);
        expect(await readModel.sessions.deleteById('acc-1', theirs.id)).toBe(false);
        expect(await readModel.sessions.get(theirs.tokenHash, now)).toEqual(theirs);
        expect(await readModel.sessions.deleteById('acc-1', mine.id)).toBe(true);
        expect(await readModel.sessions.get(mine.tokenHash, now)).toBeUndefined();
        expect(await readModel.sessions.deleteById('acc-1', mine.id)).toBe(false);
      });

      it('moves lastSeenAt forward on touch, never back, and only for that session', async () => {
        const [a, b] = [session('acc-1', HOUR), session('acc-1', HOUR)];
        for (const s of [a, b]) await readModel.sessions.create(s);
        await readModel.sessions.touch(a.id, minutes(5));
        await readModel.sessions.touch(a.id, minutes(2));
        expect(await readModel.sessions.get(a.tokenHash, now)).toEqual({ ...a, lastSeenAt: minutes(5).toISOString() });
        expect(await readModel.sessions.get(b.tokenHash, now)).toEqual(b);
      });

      it('keeps the named session when ending earlier ones, raising its credential version, never lowering it', async () => {
        const kept = session('acc-7', HOUR, minutes(-5));
        const ended = session('acc-7', HOUR, minutes(-4));
        const later = session('acc-7', HOUR, minutes(1));
        const otherAccount = session('acc-8', HOUR, minutes(-5));
        for (const s of [kept, ended, later, otherAccount]) await readModel.sessions.create(s);
        await readModel.sessions.endOpenedBefore('acc-7', now.toISOString(), {
          sessionId: kept.id,
          credentialVersion: 4,
        });
        expect(await readModel.sessions.get(kept.tokenHash, now)).toEqual({ ...kept, credentialVersion: 4 });
        expect(await readModel.sessions.get(ended.tokenHash, now)).toBeUndefined();
        expect(await readModel.sessions.get(later.tokenHash, now)).toEqual(later);
        // a replay of an older change that kept it at a lower version
        await readModel.sessions.endOpenedBefore('acc-7', minutes(-1).toISOString(), {
          sessionId: kept.id,
          credentialVersion: 3,
        });
        expect((await readModel.sessions.get(kept.tokenHash, now))?.credentialVersion).toBe(4);
        // another account's session named as the kept one is neither spared nor raised
        await readModel.sessions.endOpenedBefore('acc-7', now.toISOString(), {
          sessionId: otherAccount.id,
          credentialVersion: 9,
        });
        expect(await readModel.sessions.get(kept.tokenHash, now)).toBeUndefined();
        expect(await readModel.sessions.get(otherAccount.tokenHash, now)).toEqual(otherAccount);
      });
    });

    describe('given a projector lease', () => {
      const t0 = new Date('2025-03-03T10:00:00.000Z');
      const at = (ms: number) => new Date(t0.getTime() + ms);

      it('one holder has it until it lapses or is released; the holder renews it', async () => {
        expect(await readModel.leases.acquire('projector', 'a', 10_000, t0)).toBeDefined();
        expect(await readModel.leases.acquire('projector', 'b', 10_000, at(1))).toBeUndefined();
        expect(await readModel.leases.acquire('projector', 'a', 10_000, at(5_000))).toBeDefined();
        expect(await readModel.leases.acquire('projector', 'b', 10_000, at(14_999))).toBeUndefined();
        expect(await readModel.leases.acquire('projector', 'b', 10_000, at(15_000))).toBeDefined();
        expect(await readModel.leases.acquire('projector', 'a', 10_000, at(15_001))).toBeUndefined();
        expect(await readModel.leases.acquire('other', 'a', 10_000, at(15_001))).toBeDefined();
      });

      it('only the holder can release it', async () => {
        await readModel.leases.acquire('projector', 'a', 10_000, t0);
        await readModel.leases.release('projector', 'b');
        expect(await readModel.leases.acquire('projector', 'b', 10_000, at(1))).toBeUndefined();
        await readModel.leases.release('projector', 'a');
        expect(await readModel.leases.acquire('projector', 'b', 10_000, at(2))).toBeDefined();
      });

      it('its generation grows each time it changes hands, and stays the same on renewal', async () => {
        const first = (await readModel.leases.acquire('projector', 'a', 10_000, t0))!;
        expect(await readModel.leases.acquire('projector', 'a', 10_000, at(5_000))).toBe(first);
        // taken over once lapsed
        const second = (await readModel.leases.acquire('projector', 'b', 10_000, at(15_000)))!;
        expect(second).toBeGreaterThan(first);
        expect(await readModel.leases.acquire('projector', 'b', 10_000, at(20_000))).toBe(second);
        // released, then taken again, by its last holder too
        await readModel.leases.release('projector', 'b');
        const third = (await readModel.leases.acquire('projector', 'b', 10_000, at(20_001)))!;
        expect(third).toBeGreaterThan(second);
        // lapsed and taken again by the same holder: someone else may have had it meanwhile
        const fourth = (await readModel.leases.acquire('projector', 'b', 10_000, at(30_001)))!;
        expect(fourth).toBeGreaterThan(third);
        // another lease counts on its own
        expect(await readModel.leases.acquire('other', 'b', 10_000, at(30_001))).toBeDefined();
        expect(await readModel.leases.acquire('projector', 'b', 10_000, at(30_002))).toBe(fourth);
      });

      it('tells who holds it, under which generation and until when', async () => {
        expect(await readModel.leases.current('projector')).toBeUndefined();
        const generation = await readModel.leases.acquire('projector', 'a', 10_000, t0);
        expect(await readModel.leases.current('projector')).toEqual({
          holder: 'a',
          generation,
          expiresMs: t0.getTime() + 10_000,
        });
        await readModel.leases.release('projector', 'a');
        expect(await readModel.leases.current('projector')).toMatchObject({ holder: 'a', generation });
        expect((await readModel.leases.current('projector'))!.expiresMs).toBeLessThanOrEqual(t0.getTime());
      });
    });

    describe('given batches written under lease generations (fencing tokens)', () => {
      const users = async () => names(await search());

      it('a batch under an older generation than the checkpoint saw is refused and writes nothing', async () => {
        open('Alice', '101');
        await readModel.apply(log.batch(), 2);
        const checkpoint = await readModel.checkpoint();
        open('Bob', '102');
        const late = log.batch();
        await expect(readModel.apply(late, 1)).rejects.toBeInstanceOf(StaleLeaseError);
        expect(await readModel.checkpoint()).toBe(checkpoint);
        expect(await users()).toEqual(['Alice']);
        // the same and newer generations go on
        await readModel.apply(late, 2);
        open('Carol', '103');
        await readModel.apply(log.batch(), 3);
        expect(await users()).toEqual(['Alice', 'Bob', 'Carol']);
        await expect(readModel.apply(log.batch().concat(late), 2)).rejects.toBeInstanceOf(StaleLeaseError);
      });

      it('a claim fences the checkpoint before anything is written, and does not move it', async () => {
        await readModel.claim(5);
        expect(await readModel.checkpoint()).toBeUndefined();
        open('Alice', '101');
        const batch = log.batch();
        await expect(readModel.apply(batch, 4)).rejects.toBeInstanceOf(StaleLeaseError);
        await expect(readModel.claim(4)).rejects.toBeInstanceOf(StaleLeaseError);
        expect(await readModel.checkpoint()).toBeUndefined();
        expect(await users()).toEqual([]);
        await readModel.apply(batch, 5);
        await readModel.claim(6);
        expect(await readModel.checkpoint()).toBe(batch.at(-1)!.position);
        open('Bob', '102');
        await expect(readModel.apply(log.batch(), 5)).rejects.toBeInstanceOf(StaleLeaseError);
      });

      it('an unfenced batch (a rebuild, a test) neither checks nor lowers the fence; versions are fenced apart', async () => {
        await readModel.claim(7);
        open('Alice', '101');
        await readModel.apply(log.batch());
        expect(await users()).toEqual(['Alice']);
        open('Bob', '102');
        await expect(readModel.apply(log.batch(), 6)).rejects.toBeInstanceOf(StaleLeaseError);
        const next = await readModel.versions.open(2);
        await next.apply(log.all(), 1);
        expect(await next.checkpoint()).toBe(log.all().at(-1)!.position);
      });
    });

    describe('given a rebuild into the next version', () => {
      it('reads stay on the active version until the switch, then see the new one', async () => {
        const alice = open('Alice', '101');
        await projected();
        expect(await readModel.versions.active()).toBe(1);
        expect(await readModel.versions.requested()).toBeUndefined();

        const next = await readModel.versions.open(2);
        expect(await next.checkpoint()).toBeUndefined();
        const bob = open('Bob', '102');
        await next.apply(log.all());
        expect(await next.checkpoint()).toBe(log.all().at(-1)!.position);
        expect(names(await search())).toEqual(['Alice']);
        expect(await readModel.checkpoint()).not.toBe(await next.checkpoint());

        await readModel.versions.request(2);
        expect(await readModel.versions.requested()).toBe(2);
        await readModel.versions.activate(2);
        expect([await readModel.versions.active(), await readModel.versions.requested()]).toEqual([2, undefined]);
        expect(names(await search())).toEqual(['Alice', 'Bob']);
        expect((await readModel.users.getMany(org, [alice, bob])).length).toBe(2);
        expect(await readModel.checkpoint()).toBe(await next.checkpoint());
      });

      it('drops an old version, never the active one', async () => {
        open('Alice', '101');
        await projected();
        const next = await readModel.versions.open(2);
        await next.apply(log.all());
        await readModel.versions.activate(2);
        await expect(readModel.versions.drop(2)).rejects.toThrow(/active/);
        await readModel.versions.drop(1);
        const old = await readModel.versions.open(1);
        expect(await old.checkpoint()).toBeUndefined();
        expect((await old.users.search({ organizationId: org, first: 10, now: log.now() })).totalCount).toBe(0);
        expect(names(await search())).toEqual(['Alice']);
      });
    });
  });
  testSearchAgreement(name, options.factory, options.searchRounds);
}
