import { accountIdOfStream } from '../accounts/events.js';
import type { EventStore, NewEvent, RecordedEvent, StreamAppend } from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import type { DataKeys } from './dataKeys.js';
import { ENVELOPE_FIELD, erasedFields, isEnvelope, seal, unseal } from './envelope.js';
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

const withoutFields = (data: Data, names: Iterable<string>) => {
  const rest = { ...data };
  for (const name of names) delete rest[name];
  return rest;
};

/**
 * The appends with the personal fields of their account events sealed (see `withPersonalData`); for
 * an erased account the fields are replaced by "erased". Keys are obtained (made where missing) in
 * one call for every account of the appends. Events sealed already pass as they are.
 */
export async function sealPersonalData<A extends { streamName: string; events: NewEvent[] }>(
  keys: DataKeys,
  appends: A[],
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
      return { ...event, data: { ...withoutFields(data, Object.keys(personal)), [ENVELOPE_FIELD]: envelope } };
    });
    return { ...append, events };
  });
}

const wrapped = new WeakSet<EventStore>();

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
export function withPersonalData(store: EventStore, keys: DataKeys, log?: Logger): EventStore {
  if (wrapped.has(store)) return store;
  const warned = new Set<string>();

  async function open(events: RecordedEvent[]): Promise<RecordedEvent[]> {
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
    for (const accountId of erased) keys.forget(accountId);
    if (accounts.size === 0) return events;
    const found = await keys.find([...accounts]);
    for (const accountId of erased) keys.forget(accountId);
    return events.map((event) => {
      const data = sealedIn(event);
      if (!data) return event;
      const accountId = accountIdOfStream(event.streamName)!;
      const envelope = data[ENVELOPE_FIELD] as Parameters<typeof erasedFields>[0];
      const key = found.get(accountId);
      if (key === undefined) noKey(accountId);
      const fields = key ? unseal(key, event, envelope) : erasedFields(envelope);
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
      const [sealed] = await sealPersonalData(keys, [{ streamName, events }]);
      return store.appendToStream(streamName, sealed!.events, options);
    },
    async appendBatch(appends: StreamAppend[]) {
      return store.appendBatch(await sealPersonalData(keys, appends));
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
      return open(await store.readAll(options));
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
