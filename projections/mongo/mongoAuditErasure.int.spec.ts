import { testAuditErasureContract } from '../audit/auditErasure.contract.js';
import { createMongoReadModel } from './mongoReadModel.js';
import { freshDbName, testMongoUrl } from './testing.js';

testAuditErasureContract('MongoDB (FerretDB)', {
  factory: async () => createMongoReadModel({ url: testMongoUrl(), dbName: freshDbName('erase') }),
});
