import { accountIdOfStream } from '../../core/accounts/events.js';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { withPersonalFieldsErased } from '../../core/personalData/personalFields.js';
import type { AuditEntry } from '../readModel.js';
import { ERASED_NAME } from '../users/userProjection.js';

/** the extension an erased account's view shows (see `erased` in `users/userProjection.ts`) */
const ERASED_EXTENSION = '';

/** The accounts a batch erases, in order, each once. */
export const erasedAccountsOf = (events: RecordedEvent[]): string[] => [
  ...new Set(events.filter((e) => e.type === 'AccountErased').flatMap((e) => accountIdOfStream(e.streamName) ?? [])),
];

/**
 * An audit entry as it reads once `accountId` is erased: the history keeps its shape (type, time,
 * ids) while the person goes — its personal fields read "erased" and its name "Erased user", as the
 * subject and as the actor. Pure and idempotent, and it gives what a replay after the erasure gives:
 * the events then read "erased" (no key), and this runs again when the replay reaches the erasure.
 *
 * The extension beside the name goes too, as the erased users view has none: an adapter names an
 * entry after the users view as it is at the end of the entry's batch, so a replay whose batch holds
 * the erasure would show none where the live entry showed one. (It stays in the data of the
 * entries that carry it, e.g. AccountOpened: it is not personal.)
 */
export function scrubAuditEntry(entry: AuditEntry, accountId: string): AuditEntry {
  let scrubbed = entry;
  if (entry.accountId === accountId) {
    const data = withPersonalFieldsErased(entry.type, entry.data);
    scrubbed = { ...scrubbed, accountName: ERASED_NAME, accountExtension: ERASED_EXTENSION, data };
  }
  if (entry.actorId === accountId) scrubbed = { ...scrubbed, actorName: ERASED_NAME };
  return scrubbed;
}
