import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startFerretDb } from '../../scripts/ferretdb.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mongodb://127.0.0.1:<port>/` of the FerretDB this project's tests run against */
    mongodbUrl: string;
  }
}

/**
 * Builds (once, cached) and starts FerretDB on a free port with a throw-away data directory. When it
 * cannot, this throws and the run fails: the MongoDB suite is never silently skipped.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-ferretdb-'));
  const started = Date.now();
  // Its stderr is not copied: FerretDB warns about every `endSessions` the driver sends on close. A
  // failed start-up still reports the tail of it.
  const server = await startFerretDb({ port: 0, dataDir });
  process.stderr.write(`FerretDB ready at ${server.url} in ${Date.now() - started} ms\n`);
  project.provide('mongodbUrl', server.url);
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
