import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/**
 * The event-store contract against a real EventStoreDB / KurrentDB. No server can run on the machines
 * this is built on, so the suite is only included when EVENTSTORE_URL names one, e.g.
 * `EVENTSTORE_URL=esdb://localhost:2113?tls=false npm test`; otherwise this project has no files.
 * (`passWithNoTests` is a root option in vitest 4, not a project one: `npm test` passes because the
 * other projects have files; `vitest run --project esdb` alone without the variable reports none.)
 */
export default defineProject({
  test: {
    name: 'esdb',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: process.env.EVENTSTORE_URL ? ['core/eventStore/esdbEventStore.int.spec.ts'] : [],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
