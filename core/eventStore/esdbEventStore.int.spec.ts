import { silentLogger } from '../logger.js';
import { createEsdbEventStore } from './esdbEventStore.js';
import { testEventStoreContract } from './eventStore.contract.js';

// Included only when EVENTSTORE_URL is set (tests/projects/vitest.esdb.config.ts): no EventStoreDB
// server can run where this is built, so an operator runs it with
// `EVENTSTORE_URL=esdb://localhost:2113?tls=false npm test`. Streams get unique names, so a server
// that already holds data is fine.
const connectionString = process.env.EVENTSTORE_URL!;

testEventStoreContract('EventStoreDB', {
  factory: async () => createEsdbEventStore({ connectionString, log: silentLogger }),
  secondHandle: async () => createEsdbEventStore({ connectionString, log: silentLogger }),
  withUpcast: async (upcast) => createEsdbEventStore({ connectionString, log: silentLogger, upcast }),
});
