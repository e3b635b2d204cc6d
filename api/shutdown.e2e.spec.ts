import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerretDb } from '../scripts/ferretdb.mjs';
import {
  exitOf,
  failedStart,
  freePort,
  importCsv,
  outboxEmails,
  setUpAndSignIn,
  staffCsv,
  startService,
  waitFor,
  welcomeAllNotInvited,
  type RunningService,
} from './testing/service.js';
import { SHUTDOWN_BOUND_MS, STARTUP_STORE_BOUND_MS } from './shutdown.js';

/** what a loaded CI machine adds to a bound: loading the modules, the log line, the exit */
const SLACK_MS = 3_000;
const USERS = 300;

/** SIGTERM, and how long until the process is gone (SIGKILL after `giveUpMs`, so a hang fails, not stalls). */
async function timedStop(service: RunningService, giveUpMs = SHUTDOWN_BOUND_MS + 15_000) {
  const started = Date.now();
  const exited = exitOf(service.child, giveUpMs);
  service.child.kill('SIGTERM');
  const code = await exited;
  const ms = Date.now() - started;
  console.info(`SIGTERM to exit: ${ms} ms, exit code ${code}`);
  return { code, ms };
}

async function signInDemoManager(service: RunningService, outbox: string) {
  const demo = await waitFor(
    () => outboxEmails(outbox),
    (e) => e.some((m) => m.kind === 'welcome' && m.to.includes('olivia.manager@acme.example')),
    'the demo manager’s welcome',
    30_000,
  );
  const welcome = demo.find((m) => m.kind === 'welcome' && m.to.includes('olivia.manager@acme.example'))!;
  return setUpAndSignIn(service.base, welcome.text, '100@acme');
}

/** Until `/readyz` answers 200: the stores are reachable and the process serves. */
const untilReady = (service: RunningService, timeoutMs?: number) =>
  waitFor(
    () =>
      fetch(`${service.base}/readyz`).then(
        (r) => r.status,
        () => 0,
      ),
    (status) => status === 200,
    '/readyz',
    timeoutMs,
  );

/** A clean stop (0), or the bound forcing it (1) with the line that says what was still pending. */
function expectStoppedWithinBound(stopped: { code: number | null; ms: number }, output: string) {
  expect(stopped.ms, output).toBeLessThan(SHUTDOWN_BOUND_MS + SLACK_MS);
  if (stopped.code === 0) return expect(output).toMatch(/"msg":"stopped"/);
  expect(stopped.code, output).toBe(1);
  expect(output).toMatch(/"pending":\[[^\]]+\].*exiting before the stop finished/);
}

describe('given the service on FerretDB after load', () => {
  const ferretDir = mkdtempSync(join(tmpdir(), 'keyturn-shutdown-ferret-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-shutdown-'));
  let ferret: Awaited<ReturnType<typeof startFerretDb>>;
  let service: RunningService | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    ferret = await startFerretDb({ port: 0, dataDir: ferretDir });
    env = { DATA_DIR: dataDir, MONGODB_URL: ferret.url, MONGODB_DB: 'shutdown', LOG_LEVEL: 'info' };
  }, 300_000);
  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await ferret?.stop();
    rmSync(ferretDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'stops within the bound during a bulk welcome, and the restart on the same data is ready at once',
    { timeout: 180_000 },
    async () => {
      service = await startService(env);
      const manager = await signInDemoManager(service, join(dataDir, 'outbox'));
      expect(await importCsv(service.base, staffCsv(USERS, 'Load User', 3000, 'load'), manager)).toEqual({
        created: USERS,
        rejected: 0,
      });
      expect(await welcomeAllNotInvited(service.base, manager)).toBeTruthy();
      // Some welcomes are out, most outcomes not yet projected: SIGTERM lands with batches in flight.
      await waitFor(
        () => outboxEmails(join(dataDir, 'outbox')).length,
        (n) => n > 10,
        'the first welcomes',
        30_000,
      );
      expectStoppedWithinBound(await timedStop(service), service.output());

      // Ready as soon as the process is up: the batch the stop cut short is the new holder's to repeat.
      // (Before the fix, FerretDB was wedged by then and /readyz never answered.)
      const restarted = Date.now();
      service = await startService(env);
      // Waits longer than the bound it asserts, so the bound is what fails, not the wait.
      await untilReady(service, 60_000);
      expect(Date.now() - restarted).toBeLessThan(30_000);
      expectStoppedWithinBound(await timedStop(service), service.output());
    },
  );

  it('stops within the bound when MongoDB went away first', { timeout: 120_000 }, async () => {
    const goneDir = mkdtempSync(join(tmpdir(), 'keyturn-shutdown-gone-'));
    const gone = await startFerretDb({ port: 0, dataDir: goneDir });
    try {
      service = await startService({ ...env, DATA_DIR: join(goneDir, 'keyturn'), MONGODB_URL: gone.url });
      await untilReady(service);
      await gone.stop();
      expectStoppedWithinBound(await timedStop(service), service.output());
    } finally {
      await gone.stop();
      rmSync(goneDir, { recursive: true, force: true });
    }
  });
});

describe('given a start-up that cannot succeed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-startfail-'));
  let taken: Server | undefined;
  afterAll(() => {
    taken?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'exits 1 within the start-up bound when MONGODB_URL names a closed port, naming the store',
    { timeout: 60_000 },
    async () => {
      const started = Date.now();
      const { code, output } = await failedStart({
        DATA_DIR: join(dataDir, 'mongo'),
        MONGODB_URL: `mongodb://127.0.0.1:${await freePort()}/`,
      });
      expect(code, output).toBe(1);
      expect(output).toMatch(
        /keyturn failed to start: the read store \(MongoDB at mongodb:\/\/127\.0\.0\.1:\d+\/\) did not answer within 10 s/,
      );
      // the bound, plus loading the modules on a busy machine; the driver alone would wait 30 s
      expect(Date.now() - started).toBeLessThan(STARTUP_STORE_BOUND_MS + 15_000);
    },
  );

  it('exits 1 when the port is taken, saying so', { timeout: 60_000 }, async () => {
    const port = await freePort();
    taken = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => taken!.once('listening', resolve));
    const { code, output } = await failedStart({ DATA_DIR: join(dataDir, 'port'), PORT: String(port) });
    expect(code, output).toBe(1);
    expect(output).toContain(`keyturn failed to start: port ${port} on 127.0.0.1 is already in use (PORT, HOST)`);
  });

  it(
    'exits 2 on a configuration error when started detached (own session, stdin closed, output to a file)',
    { timeout: 60_000 },
    async () => {
      const log = join(dataDir, 'detached.log');
      const out = openSync(log, 'w');
      // `setsid npm start </dev/null >log 2>&1`: no terminal, no stdin, nothing reading a pipe
      const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
        env: { ...process.env, DATA_DIR: join(dataDir, 'config'), PORT: 'abc' },
        stdio: ['ignore', out, out],
        detached: true,
      });
      closeSync(out);
      const started = Date.now();
      expect(await exitOf(child, 30_000)).toBe(2);
      expect(readFileSync(log, 'utf8')).toContain('PORT must be a whole number from 0 to 65535 (got "abc")');
      // the configuration is read before the drivers load
      expect(Date.now() - started).toBeLessThan(15_000);
    },
  );
});
