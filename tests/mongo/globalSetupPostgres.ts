import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startFerretDb } from '../../scripts/ferretdb.mjs';
import { startThrowawayPostgres } from './postgres.js';
import './globalSetup.js'; // the `mongodbUrl` the specs inject

/**
 * The read-model contract again on FerretDB's PostgreSQL backend, whose writers run concurrently as
 * MongoDB's do (SQLite's take turns): a PostgreSQL cluster of its own, then FerretDB on it. When
 * either cannot start, this throws and the run fails: the project is never silently skipped.
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  const postgres = await startThrowawayPostgres();
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-ferretdb-pg-'));
  try {
    const server = await startFerretDb({ port: 0, dataDir, handler: 'postgresql', postgresqlUrl: postgres.url });
    process.stderr.write(`FerretDB (PostgreSQL backend) ready at ${server.url} in ${Date.now() - started} ms\n`);
    project.provide('mongodbUrl', server.url);
    return async () => {
      await server.stop();
      await postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  } catch (error) {
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
