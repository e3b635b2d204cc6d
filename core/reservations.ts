import { randomUUID } from 'node:crypto';
import { KeyturnError } from './errors.js';
import {
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
} from './eventStore/eventStore.js';

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

/** Appended when the owner lets go (an extension change, an erasure): the next reserve takes it. */
export const RELEASED = 'ReservationReleased';

/** Who holds a reservation, given its stream's last event: nobody when it was released (or never made). */
export const ownerOf = (event: RecordedEvent | undefined) =>
  event && event.type !== RELEASED ? (event.data as { ownerId: string }).ownerId : undefined;

/** The current owner of a reservation, or undefined when nobody holds it. */
export async function reservationOwner(store: EventStore, streamName: string): Promise<string | undefined> {
  const events = await store.readStream(streamName);
  return ownerOf(events[events.length - 1]);
}

/**
 * Gives up `streamName` if `ownerId` still holds it; a no-op otherwise (released already, or taken
 * over since), so it is safe to repeat after a crash.
 */
export async function release(store: EventStore, streamName: string, ownerId: string, metadata: EventMetadata) {
  const events = await store.readStream(streamName);
  const last = events[events.length - 1];
  if (!last || ownerOf(last) !== ownerId) return;
  const event = { id: randomUUID(), type: RELEASED, data: { ownerId }, metadata };
  try {
    await store.appendToStream(streamName, [event], { expectedRevision: last.revision });
  } catch (error) {
    // Someone else moved the reservation meanwhile: it is no longer ours to release.
    if (!(error instanceof WrongExpectedRevisionError)) throw error;
  }
}

// A reservation younger than this may belong to a create still in flight: never take it over.
const ABANDONED_AFTER_MS = 60_000;

/**
 * Reserve `streamName` for `ownerId`. A released reservation is free. If an earlier attempt reserved
 * it but crashed before the owner took it (`ownerHolds` answers false a minute later: the account was
 * never created, was erased, or moved to another extension without releasing this one), the
 * reservation is taken over instead of blocking the extension or domain forever.
 */
export async function reserve(
  store: EventStore,
  streamName: string,
  reservation: Reservation,
  metadata: EventMetadata,
  ownerHolds: (ownerId: string) => Promise<boolean>,
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
  const owner = ownerOf(last);
  const free =
    last !== undefined &&
    (owner === undefined ||
      (Date.parse(metadata.occurredAt) - Date.parse(last.metadata.occurredAt) > ABANDONED_AFTER_MS &&
        !(await ownerHolds(owner))));
  if (!last || !free) throw new KeyturnError('CONFLICT', conflictMessage);
  try {
    await store.appendToStream(streamName, [{ ...event, id: randomUUID() }], { expectedRevision: last.revision });
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) throw new KeyturnError('CONFLICT', conflictMessage);
    throw error;
  }
}
