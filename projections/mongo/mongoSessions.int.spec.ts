import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadModel } from '../readModel.js';
import { createMongoReadModel } from './mongoReadModel.js';
import { freshDbName, testMongoUrl } from './testing.js';

const now = new Date('2025-03-03T10:00:00.000Z');
const expiresAt = '2025-03-03T21:00:00.000Z';

/** Session documents as the first releases stored them: no id, credential version, browser or last-seen time. */
async function databaseFromBeforeSessionIds(): Promise<string> {
  const dbName = freshDbName('sessions');
  const client = new MongoClient(testMongoUrl());
  await client
    .db(dbName)
    .collection<{ _id: string }>('sessions')
    .insertMany(
      [
        ['hash-1', '2025-03-03T09:00:00.000Z'],
        ['hash-2', '2025-03-03T09:30:00.000Z'],
      ].map(([_id, createdAt]) => ({
        _id: _id!,
        accountId: 'acc-1',
        organizationId: 'org-1',
        role: 'USER',
        createdAt,
        expiresAt,
        expiresMs: Date.parse(expiresAt),
      })),
    );
  await client.close();
  return dbName;
}

describe('given session documents from before session ids, browsers and last-seen times', () => {
  let readModel: ReadModel | undefined;
  afterEach(async () => readModel?.close());

  it('reads them with a random id each, "Unknown browser", and lastSeenAt at sign-in', async () => {
    readModel = createMongoReadModel({ url: testMongoUrl(), dbName: await databaseFromBeforeSessionIds() });
    expect(await readModel.sessions.get('hash-1', now)).toEqual({
      tokenHash: 'hash-1',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accountId: 'acc-1',
      organizationId: 'org-1',
      role: 'USER',
      credentialVersion: 0,
      createdAt: '2025-03-03T09:00:00.000Z',
      expiresAt,
      userAgent: 'Unknown browser',
      lastSeenAt: '2025-03-03T09:00:00.000Z',
    });
    const listed = await readModel.sessions.listForAccount('acc-1', now);
    expect(listed.map((s) => s.tokenHash)).toEqual(['hash-2', 'hash-1']);
    expect(new Set(listed.map((s) => s.id)).size).toBe(2);
  });

  it('keeps the id it gave, and the sessions can be touched, kept and revoked like new ones', async () => {
    readModel = createMongoReadModel({ url: testMongoUrl(), dbName: await databaseFromBeforeSessionIds() });
    // several readers at once (API and projector processes): every one of them hands out the same id
    const sessions = readModel.sessions;
    const ids = await Promise.all([
      ...[1, 2, 3].map(async () => (await sessions.get('hash-1', now))!.id),
      sessions.listForAccount('acc-1', now).then((all) => all.find((s) => s.tokenHash === 'hash-1')!.id),
    ]);
    expect(new Set(ids).size).toBe(1);
    const id1 = ids[0];
    expect((await sessions.get('hash-1', now))?.id).toBe(id1);
    await readModel.sessions.touch(id1, now);
    expect((await readModel.sessions.getById(id1, now))?.lastSeenAt).toBe(now.toISOString());
    const kept = (await readModel.sessions.get('hash-2', now))!.id;
    await readModel.sessions.endOpenedBefore('acc-1', now.toISOString(), { sessionId: kept, credentialVersion: 3 });
    expect(await readModel.sessions.get('hash-1', now)).toBeUndefined();
    expect((await readModel.sessions.get('hash-2', now))?.credentialVersion).toBe(3);
    expect(await readModel.sessions.deleteById('acc-1', kept)).toBe(true);
    expect(await readModel.sessions.listForAccount('acc-1', now)).toEqual([]);
  });
});
