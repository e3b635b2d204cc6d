import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountStatus, ReadModel, UserQuery, UserView } from './readModel.js';
import { statusOf } from './readModel.js';
import { eventLog } from './testing/events.js';
import { nameKey } from './users/userKeys.js';
import { COUNT_CAP, searchPlan } from './users/userSearch.js';

const HOUR = 3_600_000;
const FIRST = ['Ada', 'Ana', 'Anna', 'Grace', 'Maya', 'Jo', 'Yusuf', 'Zoë', 'Li', 'Dana'];
const LAST = ['Lovelace', 'Hopper', 'King', 'Okafor', 'Ng', 'Van Dyke', "O'Brien", 'Kaya', 'Adams'];
const ODD = ['Ada\tKing', '  Spaced  Out ', 'Grace', 'X', 'Ó Dálaigh', 'anna-lena ng', '100% Ada'];
const STATUSES: AccountStatus[][] = [[], ['ACTIVE'], ['INVITED', 'INVITE_EXPIRED'], ['NOT_INVITED']];

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const binary = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The rule of `SearchPlan`, read plainly over every user. */
function reference(users: UserView[], query: Omit<UserQuery, 'first' | 'after'>): UserView[] {
  const plan = searchPlan(query.search);
  return users
    .filter((u) => !query.status?.length || query.status.includes(statusOf(u, query.now)))
    .filter((u) => {
      if (!plan) return true;
      if (plan.login)
        return u.extension === plan.login.extension && u.loginName.toLowerCase().startsWith(plan.login.prefix);
      const byName = plan.words.every((word) => nameKey(u.name).includes(word));
      return byName || (plan.extensionPrefix !== undefined && u.extension.startsWith(plan.extensionPrefix));
    })
    .sort((a, b) => binary(nameKey(a.name), nameKey(b.name)) || binary(a.id, b.id));
}

/**
 * Given a few hundred users whose names bunch and spread as real ones do, every search — words,
 * fragments, letters, extensions, login names, with and without a status filter, page by page —
 * returns what a plain reading of the rule returns: the same on every adapter.
 */
export function testSearchAgreement(name: string, factory: () => Promise<ReadModel>, rounds = 12) {
  describe(`users search agreement: ${name}`, () => {
    const next = random(20250303);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const log = eventLog();
    const org = log.organizationRegistered().data.organizationId;
    let readModel: ReadModel;
    let users: UserView[];

    beforeAll(async () => {
      readModel = await factory();
      for (let i = 0; i < 400; i++) {
        const person = next() < 0.05 ? pick(ODD) : `${pick(FIRST)} ${pick(LAST)}${next() < 0.3 ? ` ${i}` : ''}`;
        const id = log.accountOpened(org, { name: person, extension: String(100 + i * 7) }).data.accountId;
        const state = next();
        if (state < 0.3) continue;
        const expiresAt = new Date(log.now().getTime() + (state < 0.5 ? -HOUR : 24 * HOUR));
        const welcome = log.welcomeEmailSent(id, { expiresAt });
        if (state > 0.75) log.setupCompleted(welcome);
      }
      await readModel.apply(log.batch());
      users = [];
      for (let after: string | undefined; ;) {
        const page = await readModel.users.search({ organizationId: org, first: 200, after, now: log.now() });
        users.push(...page.edges.map((e) => e.node));
        if (!page.hasNextPage) break;
        after = page.endCursor;
      }
    });
    afterAll(async () => readModel.close());

    const terms = () => {
      const someone = pick(users);
      const text = nameKey(someone.name);
      const at = Math.floor(next() * text.length);
      const fragment = text.slice(at, at + 1 + Math.floor(next() * 5)).trim() || 'a';
      return [
        fragment,
        `${fragment} ${pick(LAST).slice(0, 3)}`,
        pick(FIRST).slice(1, 3),
        someone.extension.slice(0, 1 + Math.floor(next() * 3)),
        `${someone.extension}@${'acme'.slice(0, Math.floor(next() * 5))}`,
        pick(['zz', 'q', 'ada love', 'a', 'n', 'y', '1', '10', "o'b", 'van dy', 'ó']),
      ];
    };

    for (let round = 1; round <= rounds; round++) {
      it(`every search returns what the rule says, in order, page by page, with its count (round ${round})`, async () => {
        for (const search of terms()) {
          const status = pick(STATUSES);
          const query = { organizationId: org, search, status, now: log.now() };
          const expected = reference(users, query).map((u) => u.id);
          const got: string[] = [];
          const pageSize = pick([9, 60]);
          let after: string | undefined;
          for (;;) {
            const page = await readModel.users.search({ ...query, first: pageSize, after });
            expect([search, status, page.totalCount, page.totalCountIsExact]).toEqual([
              search,
              status,
              Math.min(expected.length, COUNT_CAP),
              expected.length <= COUNT_CAP,
            ]);
            got.push(...page.edges.map((e) => e.node.id));
            if (!page.hasNextPage) break;
            after = page.endCursor;
          }
          expect([search, status, got]).toEqual([search, status, expected]);
          expect(await readModel.users.matchingIds(query, 20)).toEqual(expected.slice(0, 20));
        }
      }, 120_000);
    }
  });
}
