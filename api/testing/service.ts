import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export interface RunningService {
  child: ChildProcess;
  port: number;
  base: string;
  /** everything it printed so far (stdout and stderr) */
  output(): string;
  /** SIGTERM, and its exit code */
  stop(): Promise<number | null>;
}

const spawnService = (env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
};

/** `npm start` as an operator runs it: its own process, configured by `env`, ready once /healthz answers. */
export async function startService(env: Record<string, string>): Promise<RunningService> {
  const port = await freePort();
  const { child, output } = spawnService({ PORT: String(port), ...env });
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited: ${output()}`);
    const ok = await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > until) throw new Error(`service did not start: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return { child, port, base, output, stop };
}

/** A start-up that is meant to fail: its exit code and what it printed. */
export async function failedStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnService({ PORT: String(await freePort()), ...env });
  return { code: await exitOf(child, 30_000), output: output() };
}

/**
 * The exit code of `child`. A watchdog, not a wait: after `giveUpMs` it is SIGKILLed, so a process
 * that hangs ends the test with a null code (which no assertion accepts) instead of stalling it.
 */
export function exitOf(child: ChildProcess, giveUpMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), giveUpMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Polls `read` until `ok` holds (an email arrived, a view caught up); never a fixed sleep before asserting. */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One GraphQL call over HTTP, as a browser or script makes it. */
export async function postGraphQL(base: string, query: string, variables: object = {}, token?: string) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: { message?: string; extensions?: { code?: string } }[] };
}

/** Like `postGraphQL`, for calls that must succeed: their data, or a thrown error naming what went wrong. */
export async function graphqlData(base: string, query: string, variables: object = {}, token?: string) {
  const body = await postGraphQL(base, query, variables, token);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export interface OutboxEmail {
  kind: string;
  to: string[];
  subject: string;
  text: string;
  metadata: { accountId: string; refId: string };
}

/** The emails the outbox sender wrote into `dir` (its JSON files; each has an `.eml` twin). */
export const outboxEmails = (dir: string): OutboxEmail[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as OutboxEmail);

export const PASSWORD = 'Harbor-Kite-42';

/** Completes setup through the link in a welcome email's text, then signs in: the session token. */
export async function setUpAndSignIn(base: string, welcomeText: string, loginName: string): Promise<string> {
  const token = /token=([A-Za-z0-9_-]+)/.exec(welcomeText)?.[1];
  if (!token) throw new Error('the welcome email carries no setup link');
  await graphqlData(base, 'mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { loginName } }', {
    i: { token, password: PASSWORD, confirmPassword: PASSWORD, voicemailPin: '2580' },
  });
  const signedIn = await graphqlData(
    base,
    'mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }',
    {
      l: loginName,
      p: PASSWORD,
    },
  );
  return signedIn.signIn.token as string;
}

/** A spreadsheet of `count` staff of acme: `<name> <i>;<firstExtension + i>;<mailbox><i>@acme.example`. */
export const staffCsv = (count: number, name: string, firstExtension: number, mailbox: string) =>
  [
    'Name;Extension;Email',
    ...Array.from({ length: count }, (_, i) => `${name} ${i};${firstExtension + i};${mailbox}${i}@acme.example`),
  ].join('\n');

/** Imports the spreadsheet as `token`: created and rejected rows. */
export async function importCsv(base: string, csv: string, token: string) {
  const data = await graphqlData(
    base,
    'mutation($csv: String!) { importUsers(csv: $csv) { created rejected } }',
    { csv },
    token,
  );
  return data.importUsers as { created: number; rejected: number };
}

/** Welcome emails for every user not invited yet, as `token`: the bulk's id. */
export async function welcomeAllNotInvited(base: string, token: string): Promise<string> {
  const data = await graphqlData(
    base,
    'mutation { sendWelcomeEmails(allMatching: { status: [NOT_INVITED] }) { bulkId } }',
    {},
    token,
  );
  return data.sendWelcomeEmails.bulkId as string;
}
