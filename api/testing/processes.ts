import { spawn, type ChildProcess } from 'node:child_process';

/** A JSON log line of one of the production processes. */
export interface LogLine {
  msg?: string;
  holder?: string;
  generation?: number;
  [key: string]: unknown;
}

export interface Proc {
  child: ChildProcess;
  /** the JSON log lines so far (stdout and stderr) */
  lines(): LogLine[];
  exited: Promise<number | null>;
}

/** One of the production processes as an operator starts it: `node --import tsx <entry>`, JSON logs. */
export function startProcess(entry: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  return { child, lines, exited };
}

/**
 * Polls `read` until it answers something (a log line, a row); never a fixed sleep before asserting.
 * `everyMs` spaces the polls out when each one costs the system under test (a request, a scan).
 */
export async function until<T>(
  read: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The first log line of `p` with this message, if any. */
export const logged = (p: Proc, msg: string) => p.lines().find((l) => l.msg === msg);
