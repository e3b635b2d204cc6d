import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/** Everything on the embedded defaults: unit specs, GraphQL specs, SQLite adapters, the real process. */
export default defineProject({
  test: {
    name: 'embedded',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['{api,core,projections,scripts}/**/*.spec.ts'],
    // needs a real EventStoreDB: its own project (vitest.esdb.config.ts), included when EVENTSTORE_URL is set
    // needs a MongoDB-wire server: the mongo project (vitest.mongo.config.ts) starts FerretDB for them
    exclude: ['**/node_modules/**', 'core/eventStore/esdbEventStore.int.spec.ts', '**/mongo/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
