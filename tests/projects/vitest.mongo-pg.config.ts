import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/**
 * The MongoDB adapter's own specs (read-model contract, projector, search, limiters, …) once more,
 * against FerretDB's PostgreSQL backend started by the global setup: there, as on MongoDB, writes to
 * one database run concurrently, which FerretDB's SQLite backend never shows.
 */
export default defineProject({
  test: {
    name: 'mongo-pg',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['projections/mongo/**/*.int.spec.ts'],
    globalSetup: ['tests/mongo/globalSetupPostgres.ts'],
    env: { KEYTURN_TEST_READ_MODEL: 'mongo' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
