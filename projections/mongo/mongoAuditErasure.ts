import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { erasedAccountsOf, scrubAuditEntry } from '../audit/auditErasure.js';
import type { AuditEntry } from '../readModel.js';
import type { AuditDoc } from './mongoDocs.js';
import { bulkWriteInChunks } from './mongoErrors.js';

/**
 * Rewrites the audit entries of every account a batch erases (as subject or actor), after the
 * batch's own entries are in and before its checkpoint: a crash in between redelivers the batch,
 * whose entries are kept (by id) and rewritten again, to the same text.
 */
export async function eraseMongoAudit(audit: Collection<AuditDoc>, events: RecordedEvent[]) {
  for (const accountId of erasedAccountsOf(events)) {
    const docs = await audit
      .find({ $or: [{ accountId }, { actorId: accountId }] }, { projection: { entry: 1 } })
      .toArray();
    const writes: AnyBulkWriteOperation<AuditDoc>[] = docs.flatMap((doc) => {
      const text = JSON.stringify(scrubAuditEntry(JSON.parse(doc.entry) as AuditEntry, accountId));
      return text === doc.entry ? [] : [{ updateOne: { filter: { _id: doc._id }, update: { $set: { entry: text } } } }];
    });
    await bulkWriteInChunks(audit, writes, { ordered: false });
  }
}
