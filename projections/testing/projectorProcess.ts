// A projector in its own process, for the catch-up test to SIGKILL mid-batch:
//   node --import tsx projections/testing/projectorProcess.ts <events.db> '<ReadModelSpec JSON>' [batchSize]
import { createSqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { silentLogger } from '../../core/logger.js';
import { startProjector } from '../projector.js';
import { openReadModel, type ReadModelSpec } from './readModels.js';

const [eventsPath, spec, batchSize] = process.argv.slice(2);
if (!eventsPath || !spec) throw new Error('usage: projectorProcess.ts <events.db> <read-model spec JSON> [batchSize]');
const store = createSqliteEventStore({ path: eventsPath });
const readModel = await openReadModel(JSON.parse(spec) as ReadModelSpec);
await startProjector(store, readModel, silentLogger, { batchSize: Number(batchSize ?? 500) });
process.stdout.write('projecting\n');
