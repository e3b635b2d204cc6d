import { testCheckpointStoreContract } from '../../core/eventStore/checkpoints.contract.js';
import { createMongoCheckpointStore } from './mongoCheckpoints.js';
import { freshDbName, testMongoUrl } from './testing.js';

testCheckpointStoreContract('MongoDB (FerretDB)', async () =>
  createMongoCheckpointStore({ url: testMongoUrl(), dbName: freshDbName('checkpoints') }),
);
