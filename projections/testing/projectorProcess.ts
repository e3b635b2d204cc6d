// A projector in its own process, for the catch-up test to SIGKILL mid-batch:
//   node --import tsx projections/testing/projectorProcess.ts <events.db> '<ReadModelSpec JSON>' [batchSize]
import { createSqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { silentLogger } from '../../core/logger.js';
import { withPersonalData } from '../../core/personalData/personalDataStore.js';
import { startProjector } from '../projector.js';
import { openDataKeys, openReadModel, type ReadModelSpec } from './readModels.js';

const [eventsPath, spec, batchSize] = process.argv.slice(2);
if (!eventsPath || !spec) throw new Error('usage: projectorProcess.ts <events.db> <read-model spec JSON> [batchSize]');
const readModelSpec = JSON.parse(spec) as ReadModelSpec;
// Read as the service reads: through the personal-data step (the catch-up test's events are plaintext).
const dataKeys = await openDataKeys(readModelSpec);
const store = withPersonalData(createSqliteEventStore({ path: eventsPath }), dataKeys);
const readModel = await openReadModel(readModelSpec);
await startProjector(store, readModel, silentLogger, {
  batchSize: Number(batchSize ?? 500),
  erasure: { dataKeys, log: silentLogger },
});
process.stdout.write('projecting\n');
