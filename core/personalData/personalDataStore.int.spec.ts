import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountStream } from '../accounts/events.js';
import type { EventStore, NewEvent, RecordedEvent } from '../eventStore/eventStore.js';
import { testEventStoreContract } from '../eventStore/eventStore.contract.js';
import { createSqliteEventStore } from '../eventStore/sqliteEventStore.js';
import type { DataKeys } from './dataKeys.js';
import { createDataKeys } from './keyWrapping.js';
import { withPersonalData } from './personalDataStore.js';
import { memoryKeyStorage } from './testing/memoryKeyStorage.js';

const secret = randomBytes(32);
const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { occurredAt: new Date().toISOString(), actor: 'system', correlationId: randomUUID() },
});
const opened = (accountId: string, name = 'Quentin Zabriskie') =>
  event('AccountOpened', {
    accountId,
    organizationId: 'org-1',
    name,
    extension: '101',
    loginName: '101@acme',
    email: 'quentin@acme.example',
    role: 'USER',
    openedBy: 'system',
  });
const welcome = () =>
  event('WelcomeEmailSent', {
    inviteId: randomUUID(),
    expiresAt: '2026-01-02T00:00:00.000Z',
    recipients: ['quentin@acme.example', 'q@home.example'],
    sentBy: 'system',
  });

/** Every read path of the port, each giving the events of `stream` in order. */
const readPaths = (store: EventStore, stream: string) => ({
  readStream: () => store.readStream(stream),
  readStreams: async () => (await store.readStreams([stream])).get(stream)!,
  readAll: async () => (await store.readAll({ maxCount: 10_000 })).filter((e) => e.streamName === stream),
  subscribe: async () => {
    const seen: RecordedEvent[] = [];
    const head = (await store.readAll({ maxCount: 10_000 })).length;
    let delivered = 0;
    const sub = store.subscribe({
      onEvents: async (events) => {
        delivered += events.length;
        seen.push(...events.filter((e) => e.streamName === stream));
      },
    });
    const until = Date.now() + 5000;
    while (delivered < head && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await sub.close();
    // a subscription that never reached the head must fail the spec, not hand back what it had
    if (delivered < head) throw new Error(`the subscription delivered ${delivered} of ${head} events`);
    return seen;
  },
});

describe('personal data in the event store', () => {
  let raw: EventStore;
  let keys: DataKeys;
  let store: EventStore;
  let storage: ReturnType<typeof memoryKeyStorage>;
  let accountId: string;
  let stream: string;
  beforeEach(() => {
    raw = createSqliteEventStore({ path: ':memory:', pollIntervalMs: 20 });
    storage = memoryKeyStorage();
    keys = createDataKeys(storage.storage, secret);
    store = withPersonalData(raw, keys);
    accountId = randomUUID();
    stream = accountStream(accountId);
  });
  afterEach(() => store.close());

  describe('given account events appended with personal fields', () => {
    beforeEach(async () => {
      await store.appendToStream(stream, [opened(accountId)]);
      await store.appendBatch([{ streamName: stream, events: [welcome()], expectedRevision: 0n }]);
    });

    it('stores them sealed, the rest in clear', async () => {
      const [open, sent] = await raw.readStream(stream);
      const stored = JSON.stringify([open!.data, sent!.data]);
      for (const personal of ['Quentin', 'Zabriskie', 'quentin@acme.example', 'q@home.example'])
        expect(stored).not.toContain(personal);
      expect(open!.data).toMatchObject({
        accountId,
        organizationId: 'org-1',
        extension: '101',
        loginName: '101@acme',
        role: 'USER',
      });
      expect(open!.data).not.toHaveProperty('name');
      expect(open!.data).not.toHaveProperty('email');
      expect((open!.data as any).personal).toMatchObject({ v: 1, fields: { name: 'text', email: 'text' } });
      expect((sent!.data as any).personal.fields).toEqual({ recipients: 'list' });
      expect((sent!.data as any).personal.iv).toMatch(/^[A-Za-z0-9_-]{16}$/);
    });

    it('reads them back as appended, through every read path', async () => {
      const paths = readPaths(store, stream);
      for (const read of Object.values(paths)) {
        const [open, sent] = await read();
        expect(open!.data).toEqual(opened(accountId).data);
        expect((sent!.data as any).recipients).toEqual(['quentin@acme.example', 'q@home.example']);
      }
    });

    /** The stored, sealed AccountOpened, changed by `change` and read from a copy of the store. */
    const readAltered = async (change: (stored: RecordedEvent) => RecordedEvent) => {
      const [stored] = await raw.readStream(stream);
      const altered = change(stored!);
      const copy = createSqliteEventStore({ path: ':memory:' });
      try {
        await copy.appendToStream(altered.streamName, [altered]);
        return await withPersonalData(copy, keys).readStream(altered.streamName);
      } finally {
        await copy.close();
      }
    };
    const envelopeOf = (e: RecordedEvent) => (e.data as any).personal as Record<string, any>;

    it('a copy unchanged opens (the checks below fail for their change alone)', async () => {
      expect((await readAltered((e) => e))[0]!.data).toMatchObject({ name: 'Quentin Zabriskie' });
    });

    it('an envelope moved to another event id, type or account, or with its field list changed, does not open', async () => {
      const other = randomUUID();
      await keys.obtain([other]);
      const changes: ((e: RecordedEvent) => RecordedEvent)[] = [
        (e) => ({ ...e, id: randomUUID() }),
        (e) => ({ ...e, type: 'AccountRenamed' }),
        (e) => ({ ...e, streamName: accountStream(other) }),
        (e) => ({
          ...e,
          data: { ...(e.data as object), personal: { ...envelopeOf(e), fields: { name: 'list', email: 'text' } } },
        }),
      ];
      for (const change of changes) {
        await expect(readAltered(change)).rejects.toMatchObject({ name: 'PersonalDataError', id: 'PDATA-9vLm' });
      }
    });

    it('a flipped bit in the ciphertext or tag does not open, and the error shows none of the data', async () => {
      const flipped = (text: string) => {
        const bytes = Buffer.from(text, 'base64url');
        bytes[0] = bytes[0]! ^ 1;
        return bytes.toString('base64url');
      };
      for (const part of ['ct', 'tag', 'iv']) {
        const error = await readAltered((e) => ({
          ...e,
          data: { ...(e.data as object), personal: { ...envelopeOf(e), [part]: flipped(envelopeOf(e)[part]) } },
        })).catch((err: Error) => err);
        expect(error).toMatchObject({ name: 'PersonalDataError' });
        expect(String((error as Error).message)).not.toMatch(/Quentin|quentin@/);
      }
    });
  });

  describe('given an erased account', () => {
    beforeEach(async () => {
      await store.appendToStream(stream, [opened(accountId), welcome()]);
      expect(await keys.erase(accountId)).toBe(true);
    });

    it('every personal field reads as "erased", lists as ["erased"]; the rest as it was', async () => {
      for (const read of Object.values(readPaths(store, stream))) {
        const [open, sent] = await read();
        expect(open!.data).toEqual({ ...(opened(accountId).data as object), name: 'erased', email: 'erased' });
        expect((sent!.data as any).recipients).toEqual(['erased']);
        expect((sent!.data as any).sentBy).toBe('system');
      }
    });

    it('a later event keeps no personal data at all, not even sealed', async () => {
      await store.appendToStream(stream, [
        event('AccountRenamed', { name: 'Quentin Z', previousName: 'Quentin Zabriskie', by: 'system' }),
      ]);
      const [, , renamed] = await raw.readStream(stream);
      expect(renamed!.data).toEqual({ name: 'erased', previousName: 'erased', by: 'system' });
      expect(storage.rows.get(accountId)).toBeNull();
    });
  });

  describe('given events that are not sealed', () => {
    it('events recorded before encryption existed (plaintext) read as they were stored', async () => {
      await raw.appendToStream(stream, [opened(accountId), welcome()]);
      const stored = await raw.readStream(stream);
      expect(await store.readStream(stream)).toEqual(stored);
      expect(storage.rows.size).toBe(0);
    });

    it('unknown event types, events without personal fields and other streams pass unchanged', async () => {
      const unknown = event('SomethingNew', { name: 'Quentin', email: 'quentin@acme.example' });
      const noPersonal = event('RoleChanged', { role: 'AUDITOR', previousRole: 'USER', by: 'system' });
      await store.appendToStream(stream, [unknown, noPersonal]);
      await store.appendToStream('organization-1', [event('AccountOpened', { name: 'Org Name' })]);
      expect((await raw.readStream(stream)).map((e) => e.data)).toEqual([unknown.data, noPersonal.data]);
      expect((await raw.readStream('organization-1'))[0]!.data).toEqual({ name: 'Org Name' });
      expect(storage.rows.size).toBe(0);
    });
  });

  describe('given events of many accounts', () => {
    it('one read fetches the keys of all of them in one lookup', async () => {
      const ids = Array.from({ length: 50 }, () => randomUUID());
      await store.appendBatch(
        ids.map((id) => ({ streamName: accountStream(id), events: [opened(id)], expectedRevision: 'no_stream' })),
      );
      const fresh = withPersonalData(raw, createDataKeys(storage.storage, secret));
      storage.lookups.length = 0;
      const all = await fresh.readAll({ maxCount: 1000 });
      expect(all.map((e) => (e.data as any).name)).toEqual(ids.map(() => 'Quentin Zabriskie'));
      expect(storage.lookups).toHaveLength(1);
      expect(new Set(storage.lookups[0])).toEqual(new Set(ids));
      // and the next read is answered from the cache
      await fresh.readAll({ maxCount: 1000 });
      expect(storage.lookups).toHaveLength(1);
    });
  });

  describe('given an event this process has opened already', () => {
    it('the next read gets the same opened fields, frozen, without opening the envelope again', async () => {
      const sent = welcome();
      await store.appendToStream(stream, [opened(accountId), sent]);
      const [, first] = await store.readStream(stream);
      // kept as sealed, but never the caller's own list
      expect(Object.isFrozen((sent.data as { recipients: string[] }).recipients)).toBe(false);
      expect((first!.data as { recipients: string[] }).recipients).not.toBe(
        (sent.data as { recipients: string[] }).recipients,
      );
      const [, again] = (await store.readStreams([stream])).get(stream)!;
      const recipients = (first!.data as { recipients: string[] }).recipients;
      expect(recipients).toEqual(['quentin@acme.example', 'q@home.example']);
      expect((again!.data as { recipients: string[] }).recipients).toBe(recipients);
      expect(Object.isFrozen(recipients)).toBe(true);
    });

    it('an erasure in this process is not bypassed: the key is gone, so the history reads as erased', async () => {
      await store.appendToStream(stream, [opened(accountId)]);
      expect((await store.readStream(stream))[0]!.data).toMatchObject({ name: 'Quentin Zabriskie' });
      await keys.erase(accountId);
      expect((await store.readStream(stream))[0]!.data).toMatchObject({ name: 'erased', email: 'erased' });
    });

    it('a key that changed since (a replaced key store) is not bypassed: the envelope no longer opens', async () => {
      const uncached = createDataKeys(storage.storage, secret, { cache: { max: 0 } });
      const reader = withPersonalData(raw, uncached);
      await reader.appendToStream(stream, [opened(accountId)]);
      expect((await reader.readStream(stream))[0]!.data).toMatchObject({ name: 'Quentin Zabriskie' });
      // the row lost and a new key made for the account: what a key store restored from the wrong backup gives
      storage.rows.delete(accountId);
      await uncached.obtain([accountId]);
      await expect(reader.readStream(stream)).rejects.toThrow(/does not open with its account's key/);
    });
  });

  describe('given another process that erased an account this one has the key of', () => {
    it('the AccountErased read here drops the cached key: the history reads as erased at once', async () => {
      await store.appendToStream(stream, [opened(accountId)]);
      expect((await store.readStream(stream))[0]!.data).toMatchObject({ name: 'Quentin Zabriskie' });
      const elsewhere = createDataKeys(storage.storage, secret);
      await elsewhere.erase(accountId);
      // still cached in this process
      expect((await keys.find([accountId])).get(accountId)).toBeInstanceOf(Buffer);
      await withPersonalData(raw, elsewhere).appendToStream(stream, [event('AccountErased', { by: 'system' })]);
      const [open] = await store.readStream(stream);
      expect(open!.data).toMatchObject({ name: 'erased', email: 'erased' });
    });
  });
});

const keysFor = () => createDataKeys(memoryKeyStorage().storage, secret);
testEventStoreContract('SQLite in memory, personal data sealed', {
  factory: async () => withPersonalData(createSqliteEventStore({ path: ':memory:' }), keysFor()),
  withUpcast: async (upcast) => withPersonalData(createSqliteEventStore({ path: ':memory:', upcast }), keysFor()),
});
