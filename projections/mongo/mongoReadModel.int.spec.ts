import { testReadModelContract } from '../readModel.contract.js';
import { createMongoReadModel } from './mongoReadModel.js';
import { freshDbName, testMongoUrl } from './testing.js';

testReadModelContract('MongoDB (FerretDB)', {
  factory: async () => createMongoReadModel({ url: testMongoUrl(), dbName: freshDbName('contract') }),
});
