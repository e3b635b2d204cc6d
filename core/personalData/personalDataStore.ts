import { LRUCache } from 'lru-cache';
import { accountIdOfStream } from '../accounts/events.js';
import type { EventStore, NewEvent, RecordedEvent, StreamAppend } from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import type { DataKeys } from './dataKeys.js';
import { ENVELOPE_FIELD, erasedFields, isEnvelope, seal, unseal, type PersonalEnvelope } from './envelope.js';
import { personalFieldsOf, withPersonalFieldsErased } from './personalFields.js';

type Data = Record<string, unknown>;
const isData = (data: unknown): data is Data => data !== null && typeof data === 'object' && !Array.isArray(data);

/** The personal fields an event carries in clear (none when it is sealed already). */
function personalOf(event: { type: string; data: unknown }): Data | undefined {
  if (!isData(event.data) || ENVELOPE_FIELD in event.data) return undefined;
  const data = event.data;
  const present = personalFieldsOf(event.type).filter((f) => data[f] !== undefined);
  return present.length === 0 ? undefined : Object.fromEntries(present.map((f) => [f, data[f]]));
}

const sealedIn = (event: { data: unknown }) =>
  isData(event.data) && isEnvelope(event.data[ENVELOPE_FIELD]) ? event.data : undefined;

/** A copy without `names`: built up rather than deleted from, which would leave a slow object. */
const withoutFields = (data: Data, names: readonly string[]) => {
  const rest: Data = {};
  for (const field of Object.keys(data)) if (!names.includes(field)) rest[field] = data[field];
  return rest;
};

/** An event's personal fields as sealed: what a read would open them to. */
export interface Sealed {
  accountId: string;
  key: Buffer;
  eventId: string;
  envelope: PersonalEnvelope;
  personal: Data;
}

/**
 * The appends with the personal fields of their account events sealed (see `withPersonalData`); for
 * an erased account the fields are replaced by "erased". Keys are obtained (made where missing) in
 * one call for every account of the appends. Events sealed already pass as they are.
 */
export async function sealPersonalData<A extends { streamName: string; events: NewEvent[] }>(
  keys: DataKeys,
  appends: A[],
  onSealed?: (sealed: Sealed) => void,
): Promise<A[]> {
  const accounts = new Set<string>();
  for (const { streamName, events } of appends) {
    const accountId = accountIdOfStream(streamName);
    if (accountId !== undefined && events.some((e) => personalOf(e))) accounts.add(accountId);
  }
  if (accounts.size === 0) return appends;
  const found = await keys.obtain([...accounts]);
  return appends.map((append) => {
    const accountId = accountIdOfStream(append.streamName);
    if (accountId === undefined || !accounts.has(accountId)) return append;
    const key = found.get(accountId);
    const events = append.events.map((event) => {
      const personal = personalOf(event);
      if (!personal) return event;
      const data = event.data as Data;
      // Erased: the person's data is not kept, not even encrypted.
      if (!key) return { ...event, data: withPersonalFieldsErased(event.type, data) };
      const envelope = seal(key, { id: event.id, streamName: append.streamName, type: event.type }, personal);
      onSealed?.({ accountId, key, eventId: event.id, envelope, personal });
      return { ...event, data: { ...withoutFields(data, Object.keys(personal)), [ENVELOPE_FIELD]: envelope } };
    });
    return { ...append, events };
  });
}

const wrapped = new WeakSet<EventStore>();

export interface WithPersonalDataOptions {
  /** events whose opened fields are kept for the next read of them (default 40,000; 0: none) */
  openedEvents?: number;
}

/**
 * Enough for the largest bulk welcome (10,000 accounts: each opened, sent and delivered event, read
 * by the command side, the projector and the reactor) with room to spare: at 20,000 the reactor's
 * reads missed 13,000 times in such a bulk, each miss a cipher context; at 40,000, none. Some 1.3 KB
 * an entry at most, so ~50 MB when full.
 */
export const DEFAULT_OPENED_EVENTS = 40_000;

type Opened = { accountId: string; key: Buffer; tag: string; fields: Readonly<Data> };

/**
 * The opened fields of the events read last, by event id. The projector, the email reactor and the
 * command side read the same new events within moments of each other (a bulk welcome of 10,000 opens
 * each account's events three to five times), and opening one costs a cipher context. An entry is
 * used only with the key found for this read — the same key, so a key erased or replaced since is
 * never bypassed — and for the same envelope; an erasure drops the account's entries. Events sealed
 * here are kept as they are sealed. The fields are frozen: every reader gets the same values.
 */
function openedFieldsCache(max: number) {
  const entries = new LRUCache<string, Opened>({ max: Math.max(1, max) });
  const keep = (eventId: string, entry: Opened) => {
    if (max > 0) entries.set(eventId, entry);
  };
  return {
    open(accountId: string, key: Buffer, event: RecordedEvent, envelope: PersonalEnvelope, remember: boolean) {
      const hit = entries.get(event.id);
      if (hit && hit.accountId === accountId && hit.tag === envelope.tag && hit.key.equals(key)) return hit.fields;
      const fields = deepFreeze(unseal(key, event, envelope));
      if (remember) keep(event.id, { accountId, key, tag: envelope.tag, fields });
      return fields;
    },
    /** an event this process sealed: its first read (the projector's, the reactor's) opens nothing */
    sealed: ({ accountId, key, eventId, envelope, personal }: Sealed) => {
      // as a read would give them: JSON's values, and never the caller's own arrays
      const fields = deepFreeze(JSON.parse(JSON.stringify(personal)) as Data);
      keep(eventId, { accountId, key, tag: envelope.tag, fields });
    },
    /** rare (an erasure): a scan is cheaper than an index kept for it */
    forget(accountId: string) {
      for (const [id, entry] of [...entries.entries()]) if (entry.accountId === accountId) entries.delete(id);
    },
  };
}

function deepFreeze(fields: Data): Readonly<Data> {
  for (const value of Object.values(fields)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(fields);
}

/**
 * The event store as the service uses it: personal fields of account events (`personalFields` in
 * `accounts/events.ts`) are sealed with the account's data key on the way in and opened on the way
 * out, on every read path. Once the key is erased they read as `"erased"`. Everything else passes:
 * other streams, unknown types, and events recorded before encryption existed (plaintext), which
 * read as they were stored.
 *
 * An erased account's new events keep no personal data at all: their fields are stored as
 * `"erased"`. Keys are fetched once per call for every account in it (a cache in `DataKeys` saves
 * most of those), and an `AccountErased` read here drops the account's key from that cache.
 *
 * The adapters' upcasting runs before this step, on the stored (sealed) shape: an upcasting rule
 * must not rename or reshape a personal field, or it would have to run after opening instead.
 */
export function withPersonalData(
  store: EventStore,
  keys: DataKeys,
  log?: Logger,
  options: WithPersonalDataOptions = {},
): EventStore {
  if (wrapped.has(store)) return store;
  const warned = new Set<string>();
  const recent = openedFieldsCache(options.openedEvents ?? DEFAULT_OPENED_EVENTS);

  /** `keep`: false for reads of the log at large (a rebuild, a catch-up), which nothing reads again soon */
  async function open(events: RecordedEvent[], keep = true): Promise<RecordedEvent[]> {
    const accounts = new Set<string>();
    const erased: string[] = [];
    for (const event of events) {
      const accountId = accountIdOfStream(event.streamName);
      if (accountId === undefined) continue;
      if (event.type === 'AccountErased') erased.push(accountId);
      if (sealedIn(event)) accounts.add(accountId);
    }
    // Forgotten before and after the lookup: this call may still use a key the erasure reaction has
    // not deleted yet, but this process keeps no copy of it.
    for (const accountId of erased) {
      keys.forget(accountId);
      recent.forget(accountId);
    }
    if (accounts.size === 0) return events;
    const found = await keys.find([...accounts]);
    for (const accountId of erased) {
      keys.forget(accountId);
      recent.forget(accountId);
    }
    return events.map((event) => {
      const data = sealedIn(event);
      if (!data) return event;
      const accountId = accountIdOfStream(event.streamName)!;
      const envelope = data[ENVELOPE_FIELD] as PersonalEnvelope;
      const key = found.get(accountId);
      if (key === undefined) noKey(accountId);
      const fields = key ? recent.open(accountId, key, event, envelope, keep) : erasedFields(envelope);
      return { ...event, data: { ...withoutFields(data, [ENVELOPE_FIELD]), ...fields } };
    });
  }

  /** Sealed data whose account has no key and no erasure mark: the key store was lost or replaced. */
  function noKey(accountId: string) {
    if (warned.has(accountId)) return;
    warned.add(accountId);
    log?.warn(
      { accountId },
      'personal data without a data key (not erased): was the key store lost or replaced? It reads as erased',
    );
  }

  const decorated: EventStore = {
    async appendToStream(streamName, events, options) {
      const [sealed] = await sealPersonalData(keys, [{ streamName, events }], recent.sealed);
      return store.appendToStream(streamName, sealed!.events, options);
    },
    async appendBatch(appends: StreamAppend[]) {
      return store.appendBatch(await sealPersonalData(keys, appends, recent.sealed));
    },
    async readStream(streamName, options) {
      return open(await store.readStream(streamName, options));
    },
    async readStreams(streamNames) {
      const byStream = await store.readStreams(streamNames);
      const opened = await open([...byStream.values()].flat());
      let i = 0;
      return new Map([...byStream].map(([name, events]) => [name, opened.slice(i, (i += events.length))]));
    },
    async readAll(options) {
      return open(await store.readAll(options), false);
    },
    subscribe(options) {
      return store.subscribe({ ...options, onEvents: async (events) => options.onEvents(await open(events)) });
    },
    comparePositions: (a, b) => store.comparePositions(a, b),
    ping: () => store.ping(),
    close: () => store.close(),
  };
  wrapped.add(decorated);
  return decorated;
}
