import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { openDataKeys } from '../api/adapters.js';
import { loadOrCreateSecret } from '../api/secret.js';
import { copySqliteEvents } from '../core/eventStore/sqliteEventCopy.js';
import { sealPersonalData } from '../core/personalData/personalDataStore.js';
import { loadConfigOrExit } from './runtime.js';

const usage = `Usage: npm run history:encrypt -- --out <new events file>

Copies DATA_DIR/events.db into a new file in which the personal fields of every account event
recorded before encryption existed are sealed with the account's data key (those of erased accounts
are replaced by "erased"). Ids, streams, revisions, positions and metadata are kept. Stop the
service first; then swap the files (see README, "Personal data and erasure").`;

async function main() {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.help || !values.out) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const config = loadConfigOrExit();
  if (config.eventStoreUrl) {
    console.error('EVENTSTORE_URL is set: this copies the embedded SQLite event store only.');
    process.exit(2);
  }
  const from = join(config.dataDir, 'events.db');
  const to = resolve(values.out);
  const dataKeys = openDataKeys(config, loadOrCreateSecret(config.dataDir, config.secret, config.secretFile));
  try {
    // One stream per event: sealing looks at the stream of each; keys come in one call per batch.
    const { events } = await copySqliteEvents({
      from,
      to,
      transform: async (batch) =>
        (
          await sealPersonalData(
            dataKeys,
            batch.map((e) => ({ streamName: e.streamName, events: [e] })),
          )
        ).map((a, i) => ({
          ...batch[i]!,
          data: a.events[0]!.data,
        })),
    });
    console.log(`Copied ${events.toLocaleString()} events into ${to}, personal data sealed.`);
  } finally {
    await dataKeys.close();
  }
}

main().catch((error: unknown) => {
  console.error('history:encrypt failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
