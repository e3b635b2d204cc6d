import { accountIdOfStream } from '../../core/accounts/events.js';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import type { ReadModel } from '../readModel.js';

/** Account events after which no session opened earlier may go on. */
const endsSessions = new Set<string>(['PasswordChanged']);

/**
 * The reaction that ends sessions: it rides the projector's subscription, after the batch is applied.
 * At-least-once and replay-safe: only sessions opened before the event end, so redelivering (or
 * replaying) an old password change never signs anyone out of a newer session. Should a crash fall
 * between the projection and this, the credential version in the user view refuses the old
 * sessions anyway (see `actorOfToken`).
 */
export async function endSessionsAfterCredentialChanges(sessions: ReadModel['sessions'], events: RecordedEvent[]) {
  for (const event of events) {
    const accountId = accountIdOfStream(event.streamName);
    if (accountId === undefined || !endsSessions.has(event.type)) continue;
    await sessions.endOpenedBefore(accountId, event.metadata.occurredAt);
  }
}
