import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/** Everything on the embedded defaults: unit specs, GraphQL specs, SQLite adapters, the real process. */
export default defineProject({
  test: {
    name: 'embedded',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['{api,core,projections,scripts}/**/*.spec.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
