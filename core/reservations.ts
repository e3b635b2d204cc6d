import { randomUUID } from 'node:crypto';
import { KeyturnError } from './errors.js';
import { WrongExpectedRevisionError, type EventMetadata, type EventStore } from './eventStore/eventStore.js';

/**
 * Uniqueness without cross-stream transactions: the first append to `<kind>-<key>` with expected
 * state "no stream" wins. Works the same on SQLite and EventStoreDB.
 */
export const domainReservationStream = (domain: string) => `domain-${domain}`;
export const extensionReservationStream = (organizationId: string, extension: string) =>
  `extension-${organizationId}-${extension}`;

export interface Reservation {
  type: 'DomainReserved' | 'ExtensionReserved';
  /** the owner: organization id for a domain, account id for an extension */
  ownerId: string;
}

/** The current owner of a reservation, or undefined when nobody holds it. */
export async function reservationOwner(store: EventStore, streamName: string): Promise<string | undefined> {
  const events = await store.readStream(streamName);
  const last = events[events.length - 1];
  return last ? (last.data as { ownerId: string }).ownerId : undefined;
}

// A reservation younger than this may belong to a create still in flight: never take it over.
const ABANDONED_AFTER_MS = 60_000;

/**
 * Reserve `streamName` for `ownerId`. If an earlier attempt reserved it but crashed before creating
 * the owner (`ownerExists` answers false a minute later), the reservation is taken over instead of
 * blocking the extension or domain forever.
 */
export async function reserve(
  store: EventStore,
  streamName: string,
  reservation: Reservation,
  metadata: EventMetadata,
  ownerExists: (ownerId: string) => Promise<boolean>,
  conflictMessage: string,
): Promise<void> {
  const event = { id: randomUUID(), type: reservation.type, data: { ownerId: reservation.ownerId }, metadata };
  try {
    await store.appendToStream(streamName, [event], { expectedRevision: 'no_stream' });
    return;
  } catch (error) {
    if (!(error instanceof WrongExpectedRevisionError)) throw error;
  }
  const events = await store.readStream(streamName);
  const last = events[events.length - 1];
  const owner = last ? (last.data as { ownerId: string }).ownerId : undefined;
  const abandoned =
    last !== undefined &&
    owner !== undefined &&
    Date.parse(metadata.occurredAt) - Date.parse(last.metadata.occurredAt) > ABANDONED_AFTER_MS &&
    !(await ownerExists(owner));
  if (!last || !abandoned) throw new KeyturnError('CONFLICT', conflictMessage);
  try {
    await store.appendToStream(streamName, [{ ...event, id: randomUUID() }], { expectedRevision: last.revision });
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) throw new KeyturnError('CONFLICT', conflictMessage);
    throw error;
  }
}
