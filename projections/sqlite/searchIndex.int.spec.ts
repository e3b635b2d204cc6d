import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventLog } from '../testing/events.js';
import { projectionTables } from './schema.js';
import { dropSearchIndex } from './searchIndex.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

const names = (page: { edges: { node: { name: string } }[] }) => page.edges.map((e) => e.node.name);

describe('given a read model file projected before the name indexes existed', () => {
  it('the next start creates and fills them, and the triggers keep them from then on', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keyturn-rm-')), 'read.db');
    const log = eventLog();
    const org = log.organizationRegistered().data.organizationId;
    for (const [name, extension] of [
      ['Grace Hopper', '100'],
      ['Ada Lovelace', '101'],
      ['Grace Kelly', '102'],
    ]) {
      log.accountOpened(org, { name: name!, extension: extension! });
    }
    const before = createSqliteReadModel({ path });
    await before.apply(log.batch());
    await before.close();
    const raw = new Database(path);
    dropSearchIndex(raw, projectionTables(1));
    raw.close();

    const after = createSqliteReadModel({ path });
    const search = async (term: string) =>
      names(await after.users.search({ organizationId: org, search: term, first: 10, now: log.now() }));
    expect(await search('grace')).toEqual(['Grace Hopper', 'Grace Kelly']);
    expect(await search('love')).toEqual(['Ada Lovelace']);
    log.accountOpened(org, { name: 'Grace Lee', extension: '103' });
    const batch = log.batch();
    await after.apply(batch);
    await after.apply(batch);
    expect(await search('grace')).toEqual(['Grace Hopper', 'Grace Kelly', 'Grace Lee']);
    await after.close();

    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT word, users FROM users_v1_first_words ORDER BY word').all()).toEqual([
      { word: 'ada', users: 1 },
      { word: 'grace', users: 3 },
    ]);
    check.close();
  });
});
