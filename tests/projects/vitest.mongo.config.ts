import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/**
 * The MongoDB adapter against a real MongoDB-wire server (FerretDB, started by the global setup):
 * the read-model contract, the catch-up test, and every GraphQL spec again with the Mongo read model
 * and checkpoint store (the harness reads KEYTURN_TEST_READ_MODEL).
 */
export default defineProject({
  test: {
    name: 'mongo',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['projections/mongo/**/*.int.spec.ts', 'api/**/*.int.spec.ts'],
    globalSetup: ['tests/mongo/globalSetup.ts'],
    env: { KEYTURN_TEST_READ_MODEL: 'mongo' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
