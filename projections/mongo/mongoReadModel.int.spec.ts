import { testReadModelContract } from '../readModel.contract.js';
import { createMongoReadModel } from './mongoReadModel.js';
import { freshDbName, testMongoUrl } from './testing.js';

testReadModelContract('MongoDB (FerretDB)', {
  factory: async () => createMongoReadModel({ url: testMongoUrl(), dbName: freshDbName('contract') }),
  // FerretDB v1 reads the whole collection for every sorted page: a few rounds prove the same rule
  searchRounds: 3,
});
