import { testSharedLimiters } from '../../api/limiters.contract.js';
import { createMongoLimiters } from './mongoLimiters.js';
import { freshDbName, testMongoUrl } from './testing.js';

const dbName = freshDbName('limits');
testSharedLimiters('MongoDB (FerretDB)', async () => createMongoLimiters({ url: testMongoUrl(), dbName }));
