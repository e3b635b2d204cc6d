import { accountIdOfStream, type AccountEvent, type AccountEventType } from '../../core/accounts/events.js';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import type { ReadModel } from '../readModel.js';

/**
 * Account events after which no session opened earlier may go on. The users projection raises the
 * account's credential version on each of them, which is what refuses those sessions should this
 * reaction be lost.
 */
const endsSessions = new Set<AccountEventType>([
  'PasswordChanged',
  'AccountDeactivated',
  'SignedOutEverywhere',
  'AccountErased',
]);

type PasswordChangedData = Extract<AccountEvent, { type: 'PasswordChanged' }>['data'];

/** The session a signed-in user changed their password from goes on; a reset keeps none. */
function keptSessionOf(event: RecordedEvent): string | undefined {
  if (event.type !== 'PasswordChanged') return undefined;
  const data = event.data as PasswordChangedData;
  return data.via === 'self' ? data.keptSessionId : undefined;
}

/**
 * The reaction that ends sessions: it rides the projector's subscription, after the batch is applied.
 * At-least-once and replay-safe: only sessions opened before the event end, so redelivering (or
 * replaying) an old change never signs anyone out of a newer session. Should a crash fall between
 * the projection and this, the credential version in the user view refuses the old sessions anyway
 * (see `actorOfToken`).
 *
 * The kept session is raised to the credential version the user view holds after this batch, so
 * the version check lets it through. Events are handled in order, so a later ending event of the
 * same batch still ends it (or keeps it again); a redelivered batch finds the same view and writes
 * the same values.
 */
export async function endSessionsAfterCredentialChanges(
  readModel: Pick<ReadModel, 'sessions' | 'users'>,
  events: RecordedEvent[],
) {
  for (const event of events) {
    const accountId = accountIdOfStream(event.streamName);
    if (accountId === undefined || !endsSessions.has(event.type as AccountEventType)) continue;
    const keep = await keptSession(readModel, event, accountId);
    await readModel.sessions.endOpenedBefore(accountId, event.metadata.occurredAt, keep);
  }
}

async function keptSession(readModel: Pick<ReadModel, 'users'>, event: RecordedEvent, accountId: string) {
  const sessionId = keptSessionOf(event);
  const organizationId = event.metadata.organizationId;
  if (sessionId === undefined || organizationId === undefined) return undefined;
  const view = await readModel.users.get(organizationId, accountId);
  // Without the view there is no version to raise the session to: it ends with the others.
  return view ? { sessionId, credentialVersion: view.credentialVersion ?? 0 } : undefined;
}
