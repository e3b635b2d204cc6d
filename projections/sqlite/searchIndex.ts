import type { Database } from 'better-sqlite3';

/**
 * The name indexes of one projection version, beside its users table:
 *
 * - `users_vN_search`, an FTS5 table of every 1-, 2- and 3-character piece of `name_lower` without
 *   a space, each a token of its UTF-8 bytes in hex after a letter for its length (`u` `v` `w`),
 *   and again (`x` `y` `z`) when it lies in a later word than the first. A search word of three
 *   characters or more is a candidate where its trigrams are; a shorter one is a single token.
 *   SQLite's own `trigram` tokenizer would serve the long words only, and hex tokens need no
 *   escaping: nothing a person types ever reaches FTS5 query syntax. The index only proposes
 *   candidates (rowids); `filters.ts` decides, so results are exact. Contentless, rowids only
 *   (detail=none): about 1 KiB per 15 users.
 * - `users_vN_first_words`, each organization's distinct first words with how many users have
 *   them. Names sort by their first word, so the users whose first word contains a search word sit
 *   in a few ranges of the name index ("grace" is one range at G), found here.
 *
 * Both are kept by triggers on the users table, in plain SQL, so every writer — the projector, a
 * rebuild on another connection — maintains them in the same transaction as the row: the first
 * words directly, the FTS table through `users_vN_search_queue`, drained in bulk. The FTS table
 * refers to users by rowid; VACUUM keeps the rowids of these tables (it copies them), and should
 * they ever differ, a projection rebuild makes the index anew.
 *
 * Migration: created on open when missing (`IF NOT EXISTS`) and filled from the users table in the
 * same immediate transaction, so a read model projected before they existed gains them on the next
 * start. Their names come with the version's tables: `projectionTables` in `schema.ts`.
 */

/** The first word of a name: up to its first space. The same in SQL as in `firstWordOf`. */
export const firstWordSql = (x: string) => `iif(instr(${x}, ' ') = 0, ${x}, substr(${x}, 1, instr(${x}, ' ') - 1))`;

const ASCII_HEX = Array.from({ length: 128 }, (_, code) => code.toString(16).toUpperCase().padStart(2, '0'));
/** UTF-8 bytes in hex; a character at a time, ASCII from a table (this runs for every user written) */
const hex = (text: string) => {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += code < 128 ? ASCII_HEX[code]! : Buffer.from(char, 'utf8').toString('hex').toUpperCase();
  }
  return out;
};

/**
 * The tokens of a name: every piece of 1 to 3 characters of each word (words split on a space),
 * as `u` `v` `w` + hex, and again as `x` `y` `z` + hex for the words after the first. In JavaScript:
 * a recursive SQL expression, or this called from SQL, costs several times as much per user written.
 */
export function nameTokens(name: string): string {
  const tokens = new Set<string>();
  name.split(' ').forEach((word, w) => {
    const chars = Array.from(word, hex);
    for (let i = 0; i < chars.length; i++) {
      let piece = '';
      for (let k = 0; k < 3 && i + k < chars.length; k++) {
        piece += chars[i + k];
        tokens.add('uvw'[k] + piece);
        if (w > 0) tokens.add('xyz'[k] + piece);
      }
    }
  });
  return [...tokens].join(' ');
}

export interface SearchTables {
  users: string;
  search: string;
  firstWords: string;
  searchQueue: string;
}

function schema({ users, search, firstWords, searchQueue }: SearchTables) {
  const count = (row: 'new' | 'old', by: '+ 1' | '- 1') => `
      INSERT INTO ${firstWords} (organization_id, word, users)
        VALUES (${row}.organization_id, ${firstWordSql(`${row}.name_lower`)}, 0 ${by})
        ON CONFLICT (organization_id, word) DO UPDATE SET users = users ${by};${
          by === '- 1'
            ? `
      DELETE FROM ${firstWords}
        WHERE organization_id = ${row}.organization_id AND word = ${firstWordSql(`${row}.name_lower`)} AND users <= 0;`
            : ''
        }`;
  const queue = (row: 'new' | 'old') => `
      INSERT OR IGNORE INTO ${searchQueue} (rid) VALUES (${row}.rowid);`;
  return `
    CREATE VIRTUAL TABLE IF NOT EXISTS ${search} USING fts5(
      tokens, content='', contentless_delete=1, detail=none, tokenize='ascii');
    CREATE TABLE IF NOT EXISTS ${firstWords} (
      organization_id TEXT NOT NULL,
      word TEXT NOT NULL,
      users INTEGER NOT NULL,
      PRIMARY KEY (organization_id, word)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${searchQueue} (rid INTEGER PRIMARY KEY);
    CREATE TRIGGER IF NOT EXISTS ${search}_insert AFTER INSERT ON ${users} BEGIN${queue('new')}${count('new', '+ 1')}
    END;
    CREATE TRIGGER IF NOT EXISTS ${search}_rename AFTER UPDATE OF name_lower, organization_id ON ${users}
      WHEN old.name_lower IS NOT new.name_lower OR old.organization_id IS NOT new.organization_id BEGIN${queue('new')}${count('old', '- 1')}${count('new', '+ 1')}
    END;
    CREATE TRIGGER IF NOT EXISTS ${search}_delete AFTER DELETE ON ${users} BEGIN${queue('old')}${count('old', '- 1')}
    END;`;
}

/**
 * Writes the FTS entries of the users the triggers queued: an FTS5 insert made inside a trigger
 * costs several times as much. The projector calls it at the end of every batch, in the batch's
 * transaction; a writer that does not (a rebuild filling tables its own way) leaves its rows queued
 * until the next batch or the next open, which drain them.
 */
export function drainSearchQueue(db: Database, { users, search, searchQueue }: SearchTables) {
  const queued = db
    .prepare<[], { rid: number; name: string | null }>(
      `SELECT q.rid, u.name_lower AS name FROM ${searchQueue} q LEFT JOIN ${users} u ON u.rowid = q.rid`,
    )
    .all();
  if (queued.length === 0) return;
  const write = db.prepare<[number, string]>(`INSERT OR REPLACE INTO ${search} (rowid, tokens) VALUES (?, ?)`);
  const remove = db.prepare<[number]>(`DELETE FROM ${search} WHERE rowid = ?`);
  for (const { rid, name } of queued) {
    if (name === null) remove.run(rid);
    else write.run(rid, nameTokens(name));
  }
  db.prepare(`DELETE FROM ${searchQueue}`).run();
}

/**
 * Erasure: makes the index forget the tokens of rows deleted or renamed so far. A contentless_delete
 * table deletes by tombstone, and the tokens stay in their segment until a merge — FTS5's own
 * `secure-delete` option does not apply to such tables (checked on SQLite 3.53) — so this merges
 * every segment into one, which leaves the tombstoned entries out. It rewrites the whole index (a
 * few MB for 100,000 users): worth it only when a person's name must go.
 */
export function purgeDeletedTokens(db: Database, { search }: Pick<SearchTables, 'search'>) {
  db.prepare(`INSERT INTO ${search} (${search}) VALUES ('optimize')`).run();
}

/**
 * Removes the name indexes and their triggers. A bulk load (a rebuild writing every user once) can
 * drop them first and have `ensureSearchIndex` build them in one pass afterwards, as it does for a
 * file that never had them.
 */
export function dropSearchIndex(db: Database, { search, firstWords, searchQueue }: SearchTables) {
  for (const trigger of ['insert', 'rename', 'delete']) db.exec(`DROP TRIGGER IF EXISTS ${search}_${trigger}`);
  for (const table of [search, firstWords, searchQueue]) db.exec(`DROP TABLE IF EXISTS ${table}`);
}

/** Creates the name indexes of a users table when they are missing, filled from the rows there. */
export function ensureSearchIndex(db: Database, tables: SearchTables) {
  const { users, search, firstWords, searchQueue } = tables;
  const exists = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM sqlite_schema WHERE name = ?`);
  db.transaction(() => {
    const had = exists.get(search)!.n > 0;
    db.exec(schema(tables));
    if (!had) {
      db.exec(`
        DELETE FROM ${firstWords};
        INSERT INTO ${firstWords} (organization_id, word, users)
          SELECT organization_id, ${firstWordSql('name_lower')}, count(*) FROM ${users} GROUP BY 1, 2;
        INSERT OR IGNORE INTO ${searchQueue} (rid) SELECT rowid FROM ${users};`);
    }
    drainSearchQueue(db, tables);
  }).immediate();
}

/**
 * The tokens a name must have to hold `word` anywhere, or in a later word than its first. Of a long
 * word's trigrams, every third and the last suffice: together they cover it, and the filter decides.
 */
function wordTokens(word: string, where: 'any' | 'later'): string[] {
  const kinds = where === 'any' ? 'uvw' : 'xyz';
  const chars = Array.from(word);
  if (chars.length <= 3) return [`${kinds[chars.length - 1]}${hex(word)}`];
  const starts = new Set<number>();
  for (let i = 0; i + 3 < chars.length; i += 3) starts.add(i);
  starts.add(chars.length - 3);
  return [...starts].map((i) => `${kinds[2]}${hex(chars.slice(i, i + 3).join(''))}`);
}

const quoted = (tokens: string[]) => tokens.map((t) => `"${t}"`).join(' AND ');

/** An FTS5 query for names holding every word, anywhere. */
export const matchAll = (words: string[]) => quoted(words.flatMap((w) => wordTokens(w, 'any')));

/** An FTS5 query for names holding the first word in a later word of the name, and the rest anywhere. */
export const matchLater = ([first, ...rest]: string[]) =>
  quoted([...wordTokens(first!, 'later'), ...rest.flatMap((w) => wordTokens(w, 'any'))]);
