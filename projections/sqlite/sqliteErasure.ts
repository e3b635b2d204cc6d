import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { erasedAccountsOf, scrubAuditEntry } from '../audit/auditErasure.js';
import type { AuditEntry } from '../readModel.js';
import { purgeDeletedTokens, type SearchTables } from './searchIndex.js';

/**
 * What an erasure does to one projection version's tables, in the batch's transaction, after the
 * batch's users and audit entries are written (so an entry of the same batch is covered too):
 * - rewrites the audit entries of every erased account, as subject or actor (`scrubAuditEntry`);
 * - purges the search index of the tokens of the old name (see `purgeDeletedTokens`).
 * With `secure_delete` on the connection, the old text is overwritten in the file, not left in free space.
 */
export function sqliteErasure(db: Database, tables: SearchTables & { audit: string }) {
  const { audit } = tables;
  const entriesOf = db.prepare<{ id: string }, { seq: number; entry: string }>(
    `SELECT seq, entry FROM ${audit} WHERE account_id = @id UNION SELECT seq, entry FROM ${audit} WHERE actor_id = @id`,
  );
  const rewrite = db.prepare<[string, number]>(`UPDATE ${audit} SET entry = ? WHERE seq = ?`);
  return (events: RecordedEvent[]) => {
    const erased = erasedAccountsOf(events);
    if (erased.length === 0) return;
    for (const accountId of erased) {
      for (const row of entriesOf.all({ id: accountId })) {
        const text = JSON.stringify(scrubAuditEntry(JSON.parse(row.entry) as AuditEntry, accountId));
        if (text !== row.entry) rewrite.run(text, row.seq);
      }
    }
    purgeDeletedTokens(db, tables);
  };
}
