import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { eventLog } from '../testing/events.js';
import { createMongoReadModel } from './mongoReadModel.js';
import { freshDbName, testMongoUrl } from './testing.js';

describe('given user documents projected before search keys existed', () => {
  it('the projector gives them their keys before it writes, and search finds them', async () => {
    const dbName = freshDbName('keys');
    const log = eventLog();
    const org = log.organizationRegistered().data.organizationId;
    log.accountOpened(org, { name: 'Grace Hopper', extension: '100' });
    log.accountOpened(org, { name: 'Ada Lovelace', extension: '101' });
    const before = createMongoReadModel({ url: testMongoUrl(), dbName });
    await before.apply(log.batch());
    await before.close();
    const client = new MongoClient(testMongoUrl());
    await client
      .db(dbName)
      .collection('users_v1')
      .updateMany({}, { $unset: { searchKeys: '' } });
    await client.close();

    const after = createMongoReadModel({ url: testMongoUrl(), dbName });
    const search = async (term: string) =>
      (await after.users.search({ organizationId: org, search: term, first: 10, now: log.now() })).edges.map(
        (e) => e.node.name,
      );
    expect(await search('grace')).toEqual([]);
    log.accountOpened(org, { name: 'Grace Lee', extension: '102' });
    await after.apply(log.batch());
    expect(await search('grace')).toEqual(['Grace Hopper', 'Grace Lee']);
    expect(await search('101@acme')).toEqual(['Ada Lovelace']);
    await after.close();
  });
});
