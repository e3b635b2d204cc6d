import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../core/eventStore/eventStore.js';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { silentLogger } from '../core/logger.js';
import { catchUp, startProjector, type Projector } from './projector.js';
import type { AuditEntry, ReadModel, UserView } from './readModel.js';
import { rebuildProjections } from './rebuild.js';
import { appendPopulation, type Population } from './testing/population.js';
import { openReadModel, type ReadModelSpec } from './testing/readModels.js';
import { readOrganization } from './testing/readOrganization.js';
import { PROJECTOR_LEASE } from './versioned.js';

export interface ProjectorContractOptions {
  /** a new, empty read model each call, described so that a child process can open it too */
  spec: () => ReadModelSpec;
  /** events per batch in the killed child: small enough that it dies mid catch-up */
  batchSize: number;
  /** accounts per organization (three of them) for the catch-up: about ten events each (default 400) */
  accounts?: number;
}

/** the rebuild hand-over needs history, not volume */
const SMALL = 60;
const SLOW = 180_000;

async function everything(readModel: ReadModel, population: Population) {
  const users: UserView[] = [];
  const audit: AuditEntry[] = [];
  for (const organizationId of population.organizations) {
    const one = await readOrganization(readModel, organizationId, population.now);
    users.push(...one.users);
    audit.push(...one.audit);
  }
  return { users, audit };
}

const caughtUp = async (store: EventStore, readModel: ReadModel) =>
  (await store.readAll({ after: await readModel.checkpoint(), maxCount: 1 })).length === 0;

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The projector's guarantees, against each read-model adapter: the same spec, run per adapter. */
export function testProjectorContract(name: string, options: ProjectorContractOptions) {
  describe(`projector contract: ${name}`, () => {
    let eventsPath: string;
    let store: EventStore;
    let population: Population;
    const opened: ReadModel[] = [];
    const open = async (spec: ReadModelSpec) => {
      const readModel = await openReadModel(spec);
      opened.push(readModel);
      return readModel;
    };
    /**
     * What replaying every event into an empty read model gives. Built on in-memory SQLite whatever
     * the adapter under test: the port answers the same on every adapter, so this also holds the
     * adapter to SQLite's answers (and reads a slow test server half as much).
     */
    const freshRebuild = async () => {
      const fresh = await open({ kind: 'sqlite', path: ':memory:' });
      await catchUp(store, fresh);
      return everything(fresh, population);
    };

    beforeEach(async () => {
      eventsPath = join(mkdtempSync(join(tmpdir(), 'keyturn-catchup-')), 'events.db');
      store = createSqliteEventStore({ path: eventsPath, pollIntervalMs: 20 });
    });
    afterEach(async () => {
      for (const readModel of opened.splice(0)) await readModel.close();
      await store.close();
    });

    describe('given thousands of events and a projector killed (SIGKILL) in the middle of its catch-up', () => {
      it('a restarted projector ends with the read model a fresh rebuild gives', { timeout: SLOW }, async () => {
        population = await appendPopulation(store, options.accounts ?? 400);
        expect(population.events).toBeGreaterThan(3000);
        const spec = options.spec();
        const readModel = await open(spec);
        const head = (await store.readAll({ after: String(population.events - 1) }))[0]!.position;
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            'projections/testing/projectorProcess.ts',
            eventsPath,
            JSON.stringify(spec),
            String(options.batchSize),
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        const third = String(Math.floor(population.events / 3));
        await until(async () => {
          if (child.exitCode !== null) throw new Error(`the projector process exited: ${stderr}`);
          const at = await readModel.checkpoint();
          return at !== undefined && store.comparePositions(at, third) >= 0;
        }, 'the child projector to get a third of the way');
        child.kill('SIGKILL');
        await exited;
        const killedAt = await readModel.checkpoint();
        expect(store.comparePositions(killedAt!, head)).toBeLessThan(0);

        const projector: Projector = await startProjector(store, readModel, silentLogger);
        await projector.waitFor(head, SLOW);
        await projector.stop();
        expect(await caughtUp(store, readModel)).toBe(true);
        expect(await everything(readModel, population)).toEqual(await freshRebuild());
      });
    });

    describe('given a running projector that holds the lease', () => {
      it(
        'a rebuild fills the next version, the projector switches to it, and nothing falls between',
        { timeout: SLOW },
        async () => {
          population = await appendPopulation(store, SMALL);
          const readModel = await open(options.spec());
          await readModel.leases.acquire(PROJECTOR_LEASE, 'the-projector', 60_000, new Date());
          const projector = await startProjector(store, readModel, silentLogger, { switchCheckMs: 50 });
          const rebuilding = rebuildProjections({ store, readModel, log: silentLogger, holder: 'the-rebuild' });
          // More history arrives while the rebuild runs: it must reach the new version too.
          const during = await appendPopulation(store, 5);
          const result = await rebuilding;
          expect(result).toMatchObject({ from: 1, version: 2, switchedBy: 'projector' });
          const more = await appendPopulation(store, 5);
          await until(() => caughtUp(store, readModel), 'the projector to catch up on version 2');
          await projector.stop();
          expect(await readModel.versions.active()).toBe(2);
          population = {
            ...population,
            organizations: [...population.organizations, ...during.organizations, ...more.organizations],
          };
          expect(await everything(readModel, population)).toEqual(await freshRebuild());
        },
      );
    });

    describe('given no projector running', () => {
      it(
        'a rebuild switches by itself, and the next rebuild drops the version before last',
        { timeout: SLOW },
        async () => {
          population = await appendPopulation(store, SMALL);
          const readModel = await open(options.spec());
          await catchUp(store, readModel);
          expect(await rebuildProjections({ store, readModel, log: silentLogger, holder: 'rebuild-1' })).toMatchObject({
            version: 2,
            switchedBy: 'rebuild',
          });
          expect(await rebuildProjections({ store, readModel, log: silentLogger, holder: 'rebuild-2' })).toMatchObject({
            from: 2,
            version: 3,
            switchedBy: 'rebuild',
          });
          expect(await (await readModel.versions.open(1)).checkpoint()).toBeUndefined();
          expect(await readModel.leases.acquire(PROJECTOR_LEASE, 'someone', 1000, new Date())).toBeDefined();
          expect(await everything(readModel, population)).toEqual(await freshRebuild());
        },
      );
    });
  });
}
