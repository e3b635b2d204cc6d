import type { Statement } from 'better-sqlite3';
import type { UserQuery } from '../readModel.js';
import { COUNT_CAP, searchPlan } from '../users/userSearch.js';
import { baseFilter, searchConditions, userFilter, type Filter } from './filters.js';
import { firstWordSql, matchAll, matchLater } from './searchIndex.js';

type Query = Omit<UserQuery, 'first' | 'after'>;
type Params = Filter['params'];
type Row = { id: string; name_lower: string };

export interface Keyset {
  afterName: string;
  afterId: string;
}

/**
 * Fewer than `readBelow` candidates in the name index are read by rowid and sorted. Otherwise a
 * page in name order comes either from candidates of the name index, each read by rowid and
 * sorted (cost: how many candidates), or from a walk of the organization's name index in page
 * order (cost: how far the page's last match lies). A common last name is spread out and a walk
 * meets a page at once; a first name is bunched together (every "Grace" sits at G) and a walk
 * would cross everyone before it. So:
 * - users whose first word holds the (longest) search word are read from their ranges of the name
 *   index, which the distinct first words give (past `ranges` of them the word is everywhere and
 *   a walk serves it);
 * - the others are found by candidates and walks taking turns with a budget that grows fourfold:
 *   up to `n` candidates are probed (fewer: read them), then a walk of `n * walkPerCandidate`
 *   entries is tried (reading a candidate costs about that many steps of a walk), then `n` grows;
 *   from `many` candidates on, a walk finishes the page. When the ranges filled the page, only
 *   what sorts before its last row can still belong on it, which bounds every walk.
 * Counting stops at `COUNT_CAP + 1` matches, and reads at most `countBudget` candidates before
 * counting on the name index instead.
 */
export const SEARCH_STEPS = {
  readBelow: 1000,
  first: 250,
  walkPerCandidate: 8,
  many: 16_000,
  ranges: 32,
  countBudget: 4000,
};
export type SearchSteps = typeof SEARCH_STEPS;

const AFTER = ' AND (name_lower, id) > (@afterName, @afterId)';
const BEFORE = ' AND (name_lower, id) < (@beforeName, @beforeId)';
const UPTO = ' AND (name_lower, id) <= (@uptoName, @uptoId)';

/** SQLite's BINARY order: UTF-8 bytes (JavaScript's `<` compares UTF-16 units). */
const binary = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const byPage = (a: Row, b: Row) => binary(a.name_lower, b.name_lower) || binary(a.id, b.id);

export function sqliteUserSearch(
  prepared: (sql: string) => Statement,
  tables: { users: string; search: string; firstWords: string },
  steps: SearchSteps = SEARCH_STEPS,
) {
  const { users, search, firstWords } = tables;
  const get = <R>(sql: string, params: Params) => prepared(sql).get(params) as R;
  const all = <R>(sql: string, params: Params) => prepared(sql).all(params) as R[];
  // rowids as plain numbers: a row object each costs more than the index lookup that found it
  const rowids = (sql: string, params: Params) => prepared(sql).pluck().all(params) as number[];
  const countOf = (sql: string, params: Params, max: number) =>
    get<{ n: number }>(`SELECT count(*) AS n FROM (${sql} LIMIT @max)`, { ...params, max }).n;
  const fts = (param: string) => `SELECT rowid AS rid FROM ${search} WHERE ${search} MATCH @${param}`;

  /** One search: its plan, filters and candidate probes, shared by its page and its count. */
  function run(query: Query) {
    const plan = searchPlan(query.search);
    const filter = userFilter(query, plan);
    if (!plan || plan.login) {
      // a login name is one extension: its index, not the name order, finds it
      const from = plan ? `${users} INDEXED BY ${users}_org_extension` : users;
      return {
        rows: (limit: number, keyset?: Keyset) =>
          all<Row>(
            `SELECT id, name_lower FROM ${from} WHERE ${filter.where}${keyset ? AFTER : ''} ORDER BY name_lower, id LIMIT @limit`,
            {
              ...filter.params,
              ...keyset,
              limit,
            },
          ),
        count: () => countOf(`SELECT 1 FROM ${from} WHERE ${filter.where}`, filter.params, COUNT_CAP + 1),
      };
    }

    const { name = 'true', extension } = searchConditions(plan);
    const byExtension = extension
      ? [
          `SELECT rowid AS rid FROM ${users} WHERE organization_id = @org AND extension >= @extFrom AND extension < @extTo`,
        ]
      : [];
    const base = baseFilter(query).where;
    const firstWordsHolding = (word: number) =>
      all<{ word: string }>(
        `SELECT word FROM ${firstWords} WHERE organization_id = @org AND instr(word, @w${word}) > 0 ORDER BY word LIMIT @ranges`,
        { ...filter.params, ranges: steps.ranges + 1 },
      ).map((r) => r.word);
    /**
     * The word whose first-word ranges are read: the first (longest) one that some first words
     * hold, if few enough of them ("ines silva": "ines", the first name). Decided only when the
     * search has many candidates: a rare one is read from its candidates whole.
     */
    let pivot: { word: number; ranges: string[] } | null | undefined;
    const choosePivot = () => {
      for (let word = 0; word < plan.words.length; word++) {
        const ranges = firstWordsHolding(word);
        if (ranges.length > steps.ranges) return null;
        if (ranges.length > 0) return { word, ranges };
      }
      return null;
    };
    const pivotWord = () => pivot?.word ?? 0;
    const inFirst = () => `instr(${firstWordSql('name_lower')}, @w${pivotWord()}) > 0`;
    /** per part: at least `reached` candidates, or all of them (`rids`, JSON) when there are fewer than `below` */
    const known = {
      all: { reached: 0, below: Infinity, rids: '[]' },
      later: { reached: 0, below: Infinity, rids: '[]' },
    };
    const params = (): Params => {
      const [w, ...rest] = [plan.words[pivotWord()]!, ...plan.words.filter((_, i) => i !== pivotWord())];
      const lists = { ridsAll: known.all.rids, ridsLater: known.later.rids };
      return { ...filter.params, ...lists, all: matchAll(plan.words), later: matchLater([w, ...rest]) };
    };

    /** a share of the matches: its filter, that filter without the search, and where its candidates are */
    type Part = { where: string; base: string; sources: string[]; match: 'all' | 'later' };
    const everyMatch: Part = { where: filter.where, base, sources: [fts('all'), ...byExtension], match: 'all' };
    const notInFirst = (): Part => ({
      where: `${filter.where} AND NOT ${inFirst()}`,
      base: `${base} AND NOT ${inFirst()}`,
      sources: [fts('later'), ...byExtension],
      match: 'later',
    });

    /**
     * Whether a part has at least `n` candidates; when it has fewer, they are kept for what follows.
     * Up to `readBelow` their rowids are read at once, as plain numbers (a source that gives fewer
     * than asked was read whole), which spares running its index query twice; past that they are
     * counted first, and read only when there are fewer than `n`.
     */
    /** A part's candidates when it has fewer than `n`; undefined when it has at least `n`. */
    const fewerThan = (part: Part, n: number): Set<number> | undefined => {
      let seen = 0;
      if (n > steps.readBelow) {
        for (const source of part.sources) if (seen < n) seen += countOf(source, params(), n - seen);
        return seen >= n ? undefined : new Set(part.sources.flatMap((source) => rowids(source, params())));
      }
      const rids = new Set<number>();
      for (const source of part.sources) {
        if (seen >= n) break;
        const found = rowids(`${source} LIMIT @need`, { ...params(), need: n - seen });
        seen += found.length;
        for (const rid of found) rids.add(rid);
      }
      return seen >= n ? undefined : rids;
    };
    const atLeast = (part: Part, n: number) => {
      const entry = known[part.match];
      if (n <= entry.reached) return true;
      if (n >= entry.below) return false;
      const rids = fewerThan(part, n);
      if (rids === undefined) {
        entry.reached = n;
        return true;
      }
      Object.assign(entry, { below: rids.size + 1, rids: JSON.stringify([...rids]) });
      return false;
    };
    const candidates = (part: Part) =>
      `SELECT value AS rid FROM json_each(@${part.match === 'all' ? 'ridsAll' : 'ridsLater'})`;

    const decomposed = () => {
      if (!atLeast(everyMatch, steps.readBelow)) return false;
      if (pivot === undefined) pivot = choosePivot();
      return pivot !== null;
    };
    // the names whose first word is `word` are `word` itself and [word + ' ', word + '!'): a space
    // sorts just before '!' (between them lie only a word and a control character, "ada\tking")
    const inRange = `${filter.where} AND name_lower >= @from AND name_lower < @to AND (name_lower = @from OR name_lower >= @spaced)`;
    const range = (word: string) => ({ ...params(), from: word, spaced: `${word} `, to: `${word}!` });

    /** Up to `limit` rows of a part after `keyset` and before `before`, in page order. */
    function ordered(part: Part, limit: number, keyset?: Keyset, before?: Row): Row[] {
      const bounds = (keyset ? AFTER : '') + (before ? BEFORE : '');
      const bound = { ...keyset, ...(before ? { beforeName: before.name_lower, beforeId: before.id } : {}), limit };
      // candidate lists are known only once probed: the parameters are taken at each query
      const at = () => ({ ...params(), ...bound });
      const few = known[part.match].below <= steps.readBelow;
      for (let n = steps.first; n < steps.many; n *= 4) {
        if (few || !atLeast(part, n)) {
          return all<Row>(
            `SELECT u.id, u.name_lower FROM (${candidates(part)}) AS cand CROSS JOIN ${users} u ON u.rowid = cand.rid
             WHERE ${part.where}${bounds} ORDER BY u.name_lower, u.id LIMIT @limit`,
            at(),
          );
        }
        // the walk's end is found by stepping over the index alone (cheap), then walked to with the filter
        const window = n * steps.walkPerCandidate;
        const end = get<{ name_lower: string; id: string } | undefined>(
          `SELECT name_lower, id FROM ${users} WHERE organization_id = @org${bounds} ORDER BY name_lower, id LIMIT 1 OFFSET @skip`,
          { ...at(), skip: window - 1 },
        );
        // one upper bound only, the nearer: SQLite ends an index range at one of them
        const upto = (keyset ? AFTER : '') + (end ? UPTO : before ? BEFORE : '');
        const near = all<Row>(
          `SELECT id, name_lower FROM ${users} WHERE ${part.where}${upto} ORDER BY name_lower, id LIMIT @limit`,
          { ...at(), ...(end ? { uptoName: end.name_lower, uptoId: end.id } : {}) },
        );
        // a walk that reached the end, or the bound, has seen every row there is
        if (near.length >= limit || !end) return near;
      }
      return all<Row>(
        `SELECT id, name_lower FROM ${users} WHERE ${part.where}${bounds} ORDER BY name_lower, id LIMIT @limit`,
        at(),
      );
    }

    function rows(limit: number, keyset?: Keyset): Row[] {
      if (!decomposed()) return ordered(everyMatch, limit, keyset);
      let found: Row[] = [];
      for (const word of pivot!.ranges) {
        // the words come in order, and each range starts at its word: once a word sorts after the
        // page's last row, no later range holds anything for it (a range may hold a later one:
        // "ada\tking" lies within "ada"'s, so every range before that is read)
        if (found.length >= limit && binary(word, found[limit - 1]!.name_lower) > 0) break;
        if (keyset && binary(`${word}!`, keyset.afterName) <= 0) continue;
        const at = { ...range(word), ...keyset, limit };
        found.push(
          ...all<Row>(
            `SELECT id, name_lower FROM ${users} WHERE ${inRange}${keyset ? AFTER : ''} ORDER BY name_lower, id LIMIT @limit`,
            at,
          ),
        );
        found = found.sort(byPage).slice(0, limit);
      }
      const rest = ordered(notInFirst(), limit, keyset, found.length >= limit ? found[limit - 1] : undefined);
      return [...found, ...rest].sort(byPage).slice(0, limit);
    }

    /**
     * Matches of a part, up to `max`: among its candidates when they are known; else by name among
     * its first `countBudget` name candidates and then by extension alone on the extension index;
     * else (more name candidates than that, few of them matches: a status filter) on the name index.
     */
    function countPart(part: Part, max: number) {
      const p = params();
      if (known[part.match].below <= steps.countBudget) {
        const sql = `SELECT 1 FROM (${candidates(part)}) AS cand CROSS JOIN ${users} u ON u.rowid = cand.rid WHERE ${part.where}`;
        return countOf(sql, p, max);
      }
      const budget = steps.countBudget;
      let n = countOf(
        `SELECT 1 FROM (${part.sources[0]} LIMIT @budget) AS cand CROSS JOIN ${users} u ON u.rowid = cand.rid
         WHERE ${part.base} AND ${name}`,
        { ...p, budget },
        max,
      );
      if (n >= max) return n;
      if (countOf(part.sources[0]!, p, budget + 1) > budget)
        return countOf(`SELECT 1 FROM ${users} WHERE ${part.where}`, p, max);
      if (extension)
        n += countOf(`SELECT 1 FROM ${users} WHERE ${part.base} AND ${extension} AND NOT (${name})`, p, max - n);
      return n;
    }

    function count(): number {
      const max = COUNT_CAP + 1;
      if (!decomposed()) return countPart(everyMatch, max);
      let n = 0;
      for (const word of pivot!.ranges) {
        if (n < max) n += countOf(`SELECT 1 FROM ${users} WHERE ${inRange}`, range(word), max - n);
      }
      return n < max ? n + countPart(notInFirst(), max - n) : n;
    }

    return { rows, count };
  }

  return {
    /** One page (`limit` rows after `keyset`) and, when asked for, the count of every match up to `COUNT_CAP + 1`. */
    page(query: Query, limit: number, keyset?: Keyset) {
      const search = run(query);
      return { ids: search.rows(limit, keyset).map((r) => r.id), count: search.count };
    },
    ids: (query: Query, limit: number) =>
      run(query)
        .rows(limit)
        .map((r) => r.id),
  };
}
