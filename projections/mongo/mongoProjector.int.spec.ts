import { testProjectorContract } from '../projector.contract.js';
import { freshDbName, testMongoUrl } from './testing.js';

testProjectorContract('MongoDB (FerretDB)', {
  spec: () => ({ kind: 'mongo', url: testMongoUrl(), dbName: freshDbName('projector') }),
  batchSize: 250,
  // ~3,100 events rather than SQLite's ~4,100: FerretDB v1 decodes the whole collection for every
  // sorted page and every count, so reading the result back grows with the square of the history.
  accounts: 300,
});
