import { MongoClient, type Binary } from 'mongodb';
import { afterAll } from 'vitest';
import { testDataKeysContract } from '../../core/personalData/dataKeys.contract.js';
import { createMongoDataKeys } from './mongoDataKeys.js';
import { freshDbName, testMongoUrl } from './testing.js';

let dbName = '';
const raw = new MongoClient(testMongoUrl());
afterAll(() => raw.close());

testDataKeysContract('MongoDB (FerretDB)', {
  factory: async (secret) =>
    createMongoDataKeys({ url: testMongoUrl(), dbName: (dbName = freshDbName('keys')), secret }),
  secondHandle: async (secret) => createMongoDataKeys({ url: testMongoUrl(), dbName, secret }),
  storedKeys: async () =>
    (
      await raw
        .db(dbName)
        .collection<{ key: Binary | null }>('accountKeys')
        .find({ key: { $ne: null } })
        .toArray()
    ).map((d) => Buffer.from(d.key!.buffer)),
});
