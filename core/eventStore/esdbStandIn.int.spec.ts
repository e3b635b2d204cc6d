import { afterAll, beforeAll, describe } from 'vitest';
import { silentLogger } from '../logger.js';
import { createEsdbEventStore } from './esdbEventStore.js';
import { testEventStoreContract } from './eventStore.contract.js';
import type { Upcast } from './upcasting.js';
import { startEsdbStandIn, type EsdbStandIn, type EsdbStandInOptions } from './testing/esdbStandIn.js';

// The EventStoreDB adapter and the real `@eventstore/db-client`, against the protocol stand-in
// (testing/esdbStandIn.ts) — not a real server: it proves the adapter's use of the protocol and the
// semantics the stand-in cites, not clustering, durability or performance. `EVENTSTORE_URL` runs the
// same suite against a real server (esdbEventStore.int.spec.ts).
function contractOnStandIn(name: string, standInOptions: EsdbStandInOptions) {
  describe(name, () => {
    let standIn: EsdbStandIn;
    beforeAll(async () => {
      standIn = await startEsdbStandIn(standInOptions);
    });
    afterAll(async () => standIn.close());

    const open = (upcast?: Upcast) =>
      createEsdbEventStore({ connectionString: standIn.connectionString, log: silentLogger, upcast });
    testEventStoreContract(`EventStoreDB protocol stand-in, ${name}`, {
      factory: async () => open(),
      secondHandle: async () => open(),
      withUpcast: async (upcast) => open(upcast),
    });
  });
}

contractOnStandIn('appends over BatchAppend (what the client uses on 21.10 and later)', {});
contractOnStandIn('appends over Append (a server that does not list BatchAppend)', { batchAppend: false });
