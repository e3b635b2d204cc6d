import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from '../../api/testing/service.js';

/** The user a root process runs PostgreSQL as: initdb and postgres refuse to run as root. */
const SERVICE_USER = 'postgres';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication */
  url: string;
  pid: number;
  /** fast shutdown (SIGINT) by PID, SIGQUIT after 10 s; removes the cluster's directory */
  stop(): Promise<void>;
}

/** Debian's server binaries: where `initdb` on PATH leads, else the newest /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    // A link on PATH (/usr/local/bin/initdb) leads to the directory that has pg_isready too.
    if (dir && existsSync(join(dir, 'initdb'))) return dirname(realpathSync(join(dir, 'initdb')));
  }
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a)).find((v) => existsSync(join(root, v, 'bin', 'initdb')));
  if (!newest)
    throw new Error(
      'PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): apt-get install -y postgresql',
    );
  return join(root, newest, 'bin');
}

/**
 * As root, the user to run the cluster as, by id: initdb refuses root, so the cluster belongs to
 * Debian's `postgres` account (the package creates it). Anyone else runs it as themselves.
 */
function serviceAccount(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, SERVICE_USER], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0)
    throw new Error(
      `running as root, and initdb refuses root: there is no "${SERVICE_USER}" user to run PostgreSQL as (Debian's postgresql package creates it)`,
    );
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: SERVICE_USER };
}

/** `setpriv` execs the command itself, so the PID we hold is postgres's own, to signal it directly. */
function asAccount(account: ReturnType<typeof serviceAccount>, command: string, args: string[]) {
  if (!account) return { command, args };
  return {
    command: 'setpriv',
    args: [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--', command, ...args],
  };
}

/**
 * A PostgreSQL cluster of its own for one test run: initdb into a temp directory, a free port on
 * 127.0.0.1 only, its unix socket in that directory, trust authentication; stopped by its PID.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const account = serviceAccount();
  const root = mkdtempSync(join(tmpdir(), 'keyturn-pg-'));
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  mkdirSync(sockets);
  if (account) for (const dir of [root, sockets]) chownSync(dir, account.uid, account.gid);
  const init = asAccount(account, join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=trust',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  const initdb = spawnSync(init.command, init.args, { encoding: 'utf8', cwd: root });
  if (initdb.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed (${initdb.status ?? initdb.signal}): ${initdb.stderr || initdb.error?.message}`);
  }
  const port = await freePort();
  // Throwaway data: no fsync, and nothing listens beyond the loopback.
  const run = asAccount(account, join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    sockets,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ]);
  const child: ChildProcess = spawn(run.command, run.args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGQUIT');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // fast shutdown: ends sessions, checkpoints, exits
      const late = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(late);
    }
    rmSync(root, { recursive: true, force: true });
  };

  const isReady = join(bin, 'pg_isready');
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`PostgreSQL exited before it was ready: ${stderr.trim()}`);
    }
    if (spawnSync(isReady, ['-h', '127.0.0.1', '-p', String(port), '-q']).status === 0) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, pid: child.pid!, stop };
}
