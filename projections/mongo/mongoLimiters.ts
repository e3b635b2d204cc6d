import { MongoClient } from 'mongodb';
import { RateLimiterMongo, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createIndexesOneByOne } from './mongoErrors.js';

/**
 * Rate-limit counters in MongoDB, shared by every API instance. FerretDB v1 has no TTL index: the
 * limiter treats an expired counter as absent (it replaces it on the next hit), so expiry stays right;
 * stale counters are only space. The unique key index is what keeps two instances from both
 * inserting a first counter.
 */
export function createMongoLimiters(options: { url: string; dbName?: string }) {
  const client = new MongoClient(options.url);
  const dbName = options.dbName ?? 'keyturn';
  const factory = (limiter: IRateLimiterOptions): RateLimiterAbstract => {
    const tableName = `limits_${(limiter.keyPrefix ?? 'default').replace(/[^A-Za-z0-9_]/g, '_')}`;
    void createIndexesOneByOne(client.db(dbName).collection(tableName), [
      { key: { key: 1 }, name: 'key_unique', unique: true },
    ]).catch(
      () => undefined, // retried by the next process that starts; counting works without it
    );
    return new RateLimiterMongo({ ...limiter, storeClient: client, dbName, tableName, disableIndexesCreation: true });
  };
  return {
    factory,
    close: () => client.close(),
  };
}
