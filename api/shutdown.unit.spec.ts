import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitOnSignals, SHUTDOWN_BOUND_MS } from './shutdown.js';

/** A stop whose steps and exit are recorded; `release()` lets the blocking step finish. */
function stopping(blocking = false) {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const record = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj, msg });
  const log = { info: record('info'), warn: record('warn'), error: record('error') };
  const ran: string[] = [];
  const exits: number[] = [];
  let release = () => {};
  const handle = exitOnSignals({
    log,
    steps: [
      { name: 'requests in flight', run: async () => void ran.push('requests') },
      {
        name: 'the batch in flight',
        run: () => (blocking ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
      },
      { name: 'closing the stores', run: async () => void ran.push('stores') },
    ],
    detail: () => ({ openRequests: 2 }),
    exit: (code) => exits.push(code),
  });
  return { handle, lines, ran, exits, release: () => release() };
}

describe('given a process stopping on SIGTERM', () => {
  let current: ReturnType<typeof stopping> | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    current?.handle.dispose();
    vi.useRealTimers();
  });

  it('runs every step in order, then exits 0', async () => {
    current = stopping();
    await current.handle.stop('SIGTERM');
    expect(current.ran).toEqual(['requests', 'stores']);
    expect(current.exits).toEqual([0]);
    expect(current.lines.at(-1)?.msg).toBe('stopped');
  });

  it('exits 1 when the bound passes, naming what was still pending', async () => {
    current = stopping(true);
    void current.handle.stop('SIGTERM');
    await vi.advanceTimersByTimeAsync(SHUTDOWN_BOUND_MS);
    expect(current.exits).toEqual([1]);
    expect(current.lines.at(-1)).toMatchObject({
      level: 'error',
      obj: { pending: ['the batch in flight', 'closing the stores'], openRequests: 2 },
    });
  });

  it('takes the same signal delivered twice at once as one, and a second one later as forcing the exit', async () => {
    current = stopping(true);
    void current.handle.stop('SIGTERM');
    await current.handle.stop('SIGTERM'); // the group's and npm's copy of one `kill -TERM -<pgid>`
    expect(current.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_500);
    await current.handle.stop('SIGTERM');
    expect(current.exits).toEqual([1]);
    expect(current.lines.at(-1)?.msg).toBe('exiting before the stop finished: a second SIGTERM');
  });
});
