import { accountIdOfStream } from '../../core/accounts/events.js';
import { deleteOutboxEmailsOf } from '../../core/email/outboxErasure.js';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import type { Logger } from '../../core/logger.js';
import type { DataKeys } from '../../core/personalData/dataKeys.js';

export interface ErasureDeps {
  dataKeys: DataKeys;
  /** where the outbox sender writes emails; absent when they go to Postmark */
  outboxDir?: string;
  /**
   * empties the WAL of the embedded files that held the person's data (read model, key store);
   * answers the files it could not empty now. Absent when nothing local has one (MongoDB).
   */
  truncateJournals?: () => Promise<string[]>;
  log: Logger;
}

/**
 * The reaction to `AccountErased`: it rides the projector's subscription, after the batch is applied,
 * so the read model has already dropped the person (users view, audit entries) when it runs.
 * Deletes the account's data key — from then on the personal fields of its events read as "erased",
 * in every copy of the event store — and the emails the outbox kept for it, then empties the WAL
 * files that still held the overwritten pages.
 *
 * At-least-once and replay-safe: a redelivered or replayed erasure finds no key and no files, and
 * deletes nothing new. A failure throws, and the batch is delivered again.
 */
export async function eraseAfterAccountErasures(deps: ErasureDeps | undefined, events: RecordedEvent[]) {
  if (deps === undefined) return;
  const erased = events.filter((e) => e.type === 'AccountErased').flatMap((e) => accountIdOfStream(e.streamName) ?? []);
  if (erased.length === 0) return;
  for (const accountId of new Set(erased)) {
    const keyDeleted = await deps.dataKeys.erase(accountId);
    const outboxFiles = deps.outboxDir === undefined ? 0 : await deleteOutboxEmailsOf(deps.outboxDir, accountId);
    if (keyDeleted || outboxFiles > 0)
      deps.log.info({ accountId, keyDeleted, outboxFiles }, 'account erased: data key and outbox emails deleted');
  }
  const busy = (await deps.truncateJournals?.()) ?? [];
  // Not worth stopping the projector for: the pages go when the WAL restarts or the file closes.
  if (busy.length > 0) deps.log.warn({ files: busy }, 'erasure: a WAL file was busy and could not be emptied now');
}
