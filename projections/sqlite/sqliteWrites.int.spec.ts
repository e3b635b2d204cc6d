import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadModel } from '../readModel.js';
import { eventLog } from '../testing/events.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

/** The key columns of version 1's row for one user, as a second connection reads them. */
function columnsOf(path: string, id: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare<[string], Record<string, unknown>>(
        'SELECT email_lower, secondary_email_lower, last_email_status, revision FROM users_v1 WHERE id = ?',
      )
      .get(id);
  } finally {
    db.close();
  }
}

describe('given a user written by the projector', () => {
  let path: string;
  let readModel: ReadModel;
  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), 'keyturn-writes-')), 'read.db');
    readModel = createSqliteReadModel({ path });
  });
  afterEach(() => readModel.close());

  it('a later event assigns the columns whose stored value differs, a stale one included', async () => {
    const log = eventLog();
    const org = log.organizationRegistered({ domain: 'acme' }).data.organizationId;
    const id = log.accountOpened(org, { name: 'Ada Lovelace', extension: '200', email: 'Ada@Example.test' }).data
      .accountId;
    await readModel.apply(log.batch());
    expect(columnsOf(path, id)).toMatchObject({ email_lower: 'ada@example.test', last_email_status: null });

    // a column out of step with its document (an older projection's key, a hand edit): the next
    // write compares with what is stored, not with the document, so it is put right
    const db = new Database(path);
    db.prepare("UPDATE users_v1 SET email_lower = 'stale@example.test' WHERE id = ?").run(id);
    db.close();

    log.emailDelivered(log.welcomeEmailSent(id));
    log.secondaryEmailAdded(id, 'Second@Example.test');
    await readModel.apply(log.batch());
    expect(columnsOf(path, id)).toEqual({
      email_lower: 'ada@example.test',
      secondary_email_lower: 'second@example.test',
      last_email_status: 'DELIVERED',
      revision: 3,
    });
    const found = await readModel.users.ownersOfEmail('ada@example.test', log.now());
    expect(found.map((o) => o.accountId)).toEqual([id]);
  });
});
