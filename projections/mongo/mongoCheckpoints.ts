import { MongoClient } from 'mongodb';
import type { CheckpointStore } from '../../core/eventStore/checkpoints.js';

interface SubscriberCheckpoint {
  _id: string;
  position: string;
}

/**
 * Where the email reactor remembers how far it got, beside the read model in MongoDB. Its own
 * collection (as SQLite's `subscriber_checkpoints`), so a projection rebuild never touches it.
 */
export function createMongoCheckpointStore(options: { url: string; dbName?: string }): CheckpointStore {
  const client = new MongoClient(options.url);
  const checkpoints = client.db(options.dbName ?? 'keyturn').collection<SubscriberCheckpoint>('subscriber_checkpoints');
  return {
    load: async (name) => (await checkpoints.findOne({ _id: name }))?.position,
    store: async (name, position) => {
      await checkpoints.updateOne({ _id: name }, { $set: { position } }, { upsert: true });
    },
    close: () => client.close(),
  };
}
