import { MongoClient, type Collection, type Document } from 'mongodb';
import type { CheckpointStore } from '../../core/eventStore/checkpoints.js';
import { StaleLeaseError } from '../../core/eventStore/fencing.js';
import { isDuplicateKey } from './mongoErrors.js';

interface SubscriberCheckpoint {
  _id: string;
  /** absent on a checkpoint that was claimed (see `claim`) before anything was stored */
  position?: string;
  /** the highest lease generation that wrote or claimed it (see `CheckpointStore`) */
  generation?: number;
}

/** A checkpoint document of either collection, as far as its fence goes. */
interface Fenced {
  _id: string;
  generation?: number;
}

/** The check before a batch is written: refused when a newer generation wrote or claimed `stored`. */
export function refuseIfFencedOff(id: string, stored: Fenced | null, generation: number | undefined) {
  if (generation !== undefined && (stored?.generation ?? 0) > generation) {
    throw new StaleLeaseError(id, stored!._id, generation);
  }
}

/**
 * Sets `fields` (and the fence) on checkpoint `name` if no newer generation than `generation` is
 * there; otherwise refuses with `StaleLeaseError`. One conditional upsert: when the document exists
 * with a newer generation the filter misses, the insert of the same `_id` fails with a duplicate key,
 * and that means "refused". Atomic on MongoDB; FerretDB v1 applies an update as a read and a write,
 * so two holders writing at the very same moment can still interleave there.
 */
export async function fencedCheckpointUpdate(
  collection: Collection<Document>,
  name: string,
  fields: Document,
  generation: number,
  id: string,
) {
  try {
    await collection.updateOne(
      { _id: name, $or: [{ generation: { $exists: false } }, { generation: { $lte: generation } }] } as Document,
      { $set: { ...fields, generation } },
      { upsert: true },
    );
  } catch (error) {
    if (isDuplicateKey(error)) throw new StaleLeaseError(id, name, generation);
    throw error;
  }
}

/**
 * Where the email reactor remembers how far it got, beside the read model in MongoDB. Its own
 * collection (as SQLite's `subscriber_checkpoints`), so a projection rebuild never touches it.
 */
export function createMongoCheckpointStore(options: { url: string; dbName?: string }): CheckpointStore {
  const client = new MongoClient(options.url);
  const db = client.db(options.dbName ?? 'keyturn');
  const checkpoints = db.collection<SubscriberCheckpoint>('subscriber_checkpoints');
  const fenced = db.collection('subscriber_checkpoints');
  return {
    load: async (name) => (await checkpoints.findOne({ _id: name }))?.position,
    store: async (name, position, generation) => {
      if (generation === undefined)
        await checkpoints.updateOne({ _id: name }, { $set: { position } }, { upsert: true });
      else await fencedCheckpointUpdate(fenced, name, { position }, generation, 'FENCE-m5Rt1');
    },
    claim: (name, generation) => fencedCheckpointUpdate(fenced, name, {}, generation, 'FENCE-m5Rt2'),
    close: () => client.close(),
  };
}
