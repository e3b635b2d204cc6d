import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteCheckpointStore } from '../core/eventStore/checkpoints.js';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** `npm start` as an operator runs it: its own process, files in DATA_DIR, stopped with SIGTERM. */
async function startService(dataDir: string, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited: ${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false);
    if (ok) return child;
    if (Date.now() > until) throw new Error(`service did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stopService = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

async function gql(port: number, query: string, variables: object = {}, token?: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

/** The service's own files, read beside it: nothing after the email reactor's checkpoint means it handled every event. */
async function reactorAtHead(dataDir: string): Promise<boolean> {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  const checkpoints = createSqliteCheckpointStore(join(dataDir, 'readmodel.db'));
  try {
    const after = await checkpoints.load('email-reactor');
    return after !== undefined && (await store.readAll({ after, maxCount: 1 })).length === 0;
  } finally {
    await checkpoints.close();
    await store.close();
  }
}

const outboxFiles = (dataDir: string) => readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.json'));

async function waitFor<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('given the service started on an empty data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-restart-'));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) await stopService(child);
  });

  it('keeps everything across SIGTERM and a restart, and sends no email twice', async () => {
    const port = await freePort();
    child = await startService(dataDir, port);
    // The demo seed: the manager's and the auditor's welcome emails reach the outbox.
    const welcomes = await waitFor(() => outboxFiles(dataDir), (f) => f.length === 2);
    const emails = welcomes.map((f) => JSON.parse(readFileSync(join(dataDir, 'outbox', f), 'utf8')) as { to: string[]; text: string });
    const { text } = emails.find((e) => e.to.includes('olivia.manager@acme.example'))!;
    const token = /token=([A-Za-z0-9_-]+)/.exec(text)![1];
    const setup = await gql(port, 'mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { loginName } }', {
      i: { token, password: 'Harbor-Kite-42', confirmPassword: 'Harbor-Kite-42', voicemailPin: '2580' },
    });
    expect(setup.data?.completeSetup.loginName).toBe('100@acme');
    const signIn = await gql(port, 'mutation { signIn(loginName: "100@acme", password: "Harbor-Kite-42") { token } }');
    const session = signIn.data.signIn.token as string;
    const usersQuery = '{ users(first: 100) { totalCount edges { node { loginName status } } } }';
    const before = await gql(port, usersQuery, {}, session);
    expect(before.data.users.totalCount).toBe(26);

    expect(await stopService(child)).toBe(0);
    child = await startService(dataDir, port);

    const after = await gql(port, usersQuery, {}, session);
    expect(after.data).toEqual(before.data);
    expect(after.data.users.edges.find((e: any) => e.node.loginName === '100@acme').node.status).toBe('ACTIVE');
    // Not a fixed sleep: once the restarted reactor has handled the whole log, a repeat would be in the outbox.
    await waitFor(() => reactorAtHead(dataDir), (done) => done);
    expect(outboxFiles(dataDir)).toHaveLength(2);
    const used = await gql(port, 'mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { loginName } }', {
      i: { token, password: 'Harbor-Kite-42', confirmPassword: 'Harbor-Kite-42', voicemailPin: '2580' },
    });
    expect(used.errors?.[0]?.extensions?.code).toBe('LINK_USED');
  }, 60_000);
});
