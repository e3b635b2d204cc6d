// FerretDB v1.24.2 (SQLite backend, or PostgreSQL's) as a real MongoDB-wire test server.
//
// The server is a tiny Go program (scripts/ferretdb/main.go) embedding
// github.com/FerretDB/FerretDB/ferretdb; it is built once with `go build`
// into scripts/ferretdb/bin/ferretdb and rebuilt only when its sources change.
//
// Library:
//   import { startFerretDb } from './scripts/ferretdb.mjs';
//   const db = await startFerretDb({ port: 0, dataDir: '/tmp/x' });
//   // db.url === 'mongodb://127.0.0.1:<port>/'
//   await db.stop();
//   // PostgreSQL backend (writers run concurrently, as on MongoDB):
//   await startFerretDb({ dataDir: '/tmp/x', handler: 'postgresql', postgresqlUrl: 'postgres://…' });
//
// CLI:
//   node scripts/ferretdb.mjs [--port 27018] [--data ./data/ferretdb] [--build-only]
//                             [--handler postgresql --postgresql-url postgres://…]
//   (--port 0 or no --port: the OS picks a free port)

import { spawn } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FERRETDB_VERSION = 'v1.24.2';

const SRC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ferretdb');
const BIN = path.join(SRC_DIR, 'bin', 'ferretdb');
const SOURCES = ['main.go', 'go.mod', 'go.sum'].map((f) => path.join(SRC_DIR, f));
const READY_TIMEOUT_MS = 60_000;
const KILL_AFTER_MS = 5_000;

async function mtimeMs(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}

async function isBuildFresh() {
  const bin = await mtimeMs(BIN);
  if (bin < 0) return false;
  const srcs = await Promise.all(SOURCES.map(mtimeMs));
  return srcs.every((m) => m >= 0 && m < bin);
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    // Capture everything: a CLI caller's stdout must stay clean.
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d) => {
      output += d;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => reject(new Error(`cannot run ${cmd} (is Go installed and on PATH?): ${err.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

let buildPromise;

const logToStderr = (msg) => process.stderr.write(`${msg}\n`);

/**
 * Builds scripts/ferretdb/bin/ferretdb unless it is newer than main.go/go.mod/go.sum.
 * Concurrent calls in one process share a single build. A cold build takes a
 * minute or two (it compiles a pure-Go SQLite), so it announces itself.
 * @param {{ log?: (msg: string) => void }} [opts] called once if a build actually
 *   happens; defaults to writing to stderr
 * @returns {Promise<string>} path of the binary
 */
export async function buildFerretDb({ log = logToStderr } = {}) {
  buildPromise ??= (async () => {
    if (await isBuildFresh()) return BIN;
    log(`building FerretDB ${FERRETDB_VERSION} (first time only)…`);
    await mkdir(path.dirname(BIN), { recursive: true });
    // Pure-Go SQLite (modernc.org/sqlite): no cgo, so no C compiler needed.
    // Build to a temp name and rename, so an interrupted build never leaves a
    // truncated binary that looks fresh.
    const tmp = `${BIN}.tmp-${process.pid}`;
    try {
      await run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], {
        cwd: SRC_DIR,
        env: { ...process.env, CGO_ENABLED: '0' },
      });
      await rename(tmp, BIN);
    } finally {
      await rm(tmp, { force: true });
    }
    return BIN;
  })();
  try {
    return await buildPromise;
  } catch (err) {
    buildPromise = undefined; // allow a retry after a failed build
    throw err;
  }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts FerretDB (building it first if needed) and waits until it accepts TCP connections.
 * @param {{ port?: number, dataDir: string, log?: (msg: string) => void,
 *           stderr?: NodeJS.WritableStream, handler?: 'sqlite' | 'postgresql',
 *           postgresqlUrl?: string }} opts
 *   port 0 or undefined: the OS picks a free port. dataDir is created if missing.
 *   log: see buildFerretDb. stderr: also copy the server's stderr (warnings/errors) there.
 *   handler: the backend, sqlite by default; postgresql needs postgresqlUrl (a database that exists).
 * @returns {Promise<{ url: string, port: number, pid: number, stop: () => Promise<void>,
 *                     exited: Promise<{ code: number | null, signal: string | null }> }>}
 *   stop() sends SIGTERM, SIGKILL after 5 s, and resolves once the process is gone.
 */
export async function startFerretDb({ port = 0, dataDir, log, stderr, handler = 'sqlite', postgresqlUrl } = {}) {
  if (!dataDir) throw new Error('startFerretDb: dataDir is required');
  if (handler !== 'sqlite' && handler !== 'postgresql') throw new Error(`startFerretDb: unknown handler ${handler}`);
  if (handler === 'postgresql' && !postgresqlUrl)
    throw new Error('startFerretDb: handler postgresql needs postgresqlUrl');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`startFerretDb: invalid port ${port}`);
  }
  const bin = await buildFerretDb({ log });
  const data = path.resolve(dataDir);
  await mkdir(data, { recursive: true });

  const backend = handler === 'postgresql' ? ['--handler', 'postgresql', '--postgresql-url', postgresqlUrl] : [];
  const child = spawn(bin, ['--port', String(port), '--data', data, ...backend], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  // Keep a tail of stderr for error messages; the binary logs warnings only.
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderrTail = (stderrTail + d).slice(-4000);
    stderr?.write(d);
  });

  // The binary prints its MongoDB URI (with the real port) as its first stdout line.
  let stdoutBuf = '';
  let actualPort;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    if (actualPort !== undefined) return;
    stdoutBuf += d;
    const m = /^mongodb:\/\/127\.0\.0\.1:(\d+)\//m.exec(stdoutBuf);
    if (m) actualPort = Number(m[1]);
  });

  let exited = null; // { code, signal } once the process is gone

  // Do not leave an orphaned server behind if this Node process exits without stop().
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      process.removeListener('exit', killOnExit);
      resolve(exited);
    });
  });
  let spawnError;
  child.once('error', (err) => {
    spawnError = err;
  });

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw new Error(`FerretDB failed to start (${bin}): ${spawnError.message}`);
    if (exited) {
      const how = exited.signal ?? `exit code ${exited.code}`;
      // When stderr is already being copied to the caller, do not repeat it.
      const detail = stderr ? 'see its stderr above' : `stderr:\n${stderrTail.trim() || '(empty)'}`;
      throw new Error(`FerretDB exited before it was ready (${how}); ${detail}`);
    }
    if (actualPort !== undefined && (await canConnect(actualPort))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `FerretDB did not accept connections within ${READY_TIMEOUT_MS / 1000} s. stderr:\n${stderrTail.trim() || '(empty)'}`,
      );
    }
    await sleep(50);
  }

  return {
    url: `mongodb://127.0.0.1:${actualPort}/`,
    port: actualPort,
    pid: child.pid,
    stop,
    exited: exitPromise,
  };
}

// ---------------------------------------------------------------- CLI

function parseArgs(argv) {
  const opts = { port: 0, dataDir: 'data/ferretdb', buildOnly: false, handler: 'sqlite', postgresqlUrl: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? a.split(/=(.*)/s, 2) : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--port') {
      opts.port = Number(value());
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
        throw new Error(`invalid --port`);
      }
    } else if (flag === '--data') opts.dataDir = value();
    else if (flag === '--build-only') opts.buildOnly = true;
    else if (flag === '--handler') opts.handler = value();
    else if (flag === '--postgresql-url') opts.postgresqlUrl = value();
    else if (flag === '-h' || flag === '--help') {
      console.log(
        'usage: node scripts/ferretdb.mjs [--port N (0 = free port)] [--data DIR] [--build-only] [--handler sqlite|postgresql] [--postgresql-url URL]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.buildOnly) {
    const bin = await buildFerretDb();
    logToStderr(`FerretDB ${FERRETDB_VERSION} binary: ${path.relative(process.cwd(), bin) || bin}`);
    return;
  }
  const server = await startFerretDb({
    port: opts.port,
    dataDir: opts.dataDir,
    stderr: process.stderr,
    handler: opts.handler,
    postgresqlUrl: opts.postgresqlUrl,
  });
  console.log(`FerretDB listening on ${server.url}`);
  let stopping = false;
  server.exited.then(({ code, signal }) => {
    if (stopping) return;
    logToStderr(`ferretdb: server exited unexpectedly (${signal ?? `exit code ${code}`})`);
    process.exit(1);
  });
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`ferretdb: ${err.message}\n`);
    process.exit(1);
  });
}
