import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../core/logger.js';
import type { Leases } from './readModel.js';

/**
 * A lease holder's name, unique to this process (two processes on one data directory never share
 * one). After a crash the restarted process waits for the old lease to lapse (the TTL); after a
 * clean stop it takes over at once, since stopping releases the lease.
 */
export const leaseHolderId = (role: string) => `${role}@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** What the work started under a lease gets to know about it. */
export interface HeldLease {
  /** the generation the lease is held under: the fencing token every write of the work carries */
  readonly generation: number;
  /**
   * Reads the lease store again (bounded by the operation timeout): true while this process holds
   * the lease under `generation` and it has not lapsed. False when it cannot tell in time.
   */
  stillHeld: () => Promise<boolean>;
  /** a store refused a write under `generation`: the work is stopped and this process stands by */
  fencedOff: (error: Error) => void;
}

export interface LeasedWorkOptions {
  leases: Leases;
  name: string;
  /** unique per process (see `leaseHolderId`) */
  holder: string;
  /** the lease lapses this long after its last renewal; renewed every third of it */
  ttlMs: number;
  /**
   * how long a renewal (and any other lease operation of the holder) may take before it counts as
   * "cannot reach" (default a fifth of the TTL)
   */
  timeoutMs?: number;
  log: Logger;
  /** starts the work once the lease is ours and returns how to stop it */
  start(lease: HeldLease): Promise<() => Promise<void>>;
}

export interface LeasedWork {
  /** true while this process holds the lease and the work runs */
  readonly active: boolean;
  /** stops the work (finishing what is in flight), then gives the lease up */
  stop(): Promise<void>;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `work`, or a rejection once `ms` have passed: a lease store that does not answer is unreachable. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`LEASE-t4Wn6: ${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `start()` only while holding the lease; otherwise stands by and tries again every third of
 * the TTL. A holder that cannot renew in time (lost to another, the store unreachable until the
 * lease would lapse, or a renewal that finds the lease changed hands meanwhile) stops its work
 * before another may take over. That alone cannot stop a holder that was paused (SIGSTOP, a long GC,
 * a frozen VM) and wakes with writes in flight: those carry the generation and are refused by the
 * stores (`fencedOff`), and the reactor asks `stillHeld` before each email.
 */
export async function runWhileLeased(options: LeasedWorkOptions): Promise<LeasedWork> {
  const { leases, name, holder, ttlMs, log } = options;
  const timeoutMs = options.timeoutMs ?? ttlMs / 5;
  let working: { generation: number; stop: () => Promise<void> } | undefined;
  let heldUntil = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  // Renewals, refusals and the final stop change `working` one at a time.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = (work: () => Promise<void>) => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };

  const halt = async (why: string) => {
    const work = working;
    working = undefined;
    if (!work) return;
    log.warn({ lease: name, holder, generation: work.generation }, why);
    await work.stop();
    log.info({ lease: name, holder, generation: work.generation }, 'work stopped: standing by');
  };

  const heldLease = (generation: number): HeldLease => ({
    generation,
    async stillHeld() {
      let held = false;
      try {
        const lease = await withTimeout(leases.current(name), timeoutMs, 'reading the lease');
        held = lease?.holder === holder && lease.generation === generation && lease.expiresMs > Date.now();
      } catch {
        // cannot tell in time: not held, as far as the caller may act on it
      }
      // Whoever asked stops (the reactor does), so the work as a whole stops too; should the lease
      // still be ours (the store was only slow), the next renewal starts it again.
      if (!held) {
        void exclusive(async () => {
          if (working?.generation === generation) await halt('stopping: the lease could not be confirmed');
        });
      }
      return held;
    },
    fencedOff(error) {
      void exclusive(async () => {
        if (working?.generation !== generation) return;
        log.error(
          { lease: name, holder, generation, err: errorText(error) },
          'fenced off: the store refused a write under this lease',
        );
        await halt('fenced off: a newer lease holder has written; standing by');
      });
    },
  });

  async function tick() {
    const now = Date.now();
    let generation: number | undefined;
    try {
      // A renewal must answer in time for the work to stop before the lease could lapse. A take while
      // standing by has nothing to stop: it may wait longer (a first connection to the store).
      generation = await withTimeout(
        leases.acquire(name, holder, ttlMs, new Date(now)),
        working ? timeoutMs : ttlMs,
        working ? 'renewing the lease' : 'taking the lease',
      );
    } catch (error) {
      log.error({ lease: name, err: errorText(error) }, 'cannot reach the lease; retrying');
      // Keep working while the lease certainly is still ours; stop before it could lapse.
      if (Date.now() + ttlMs / 3 >= heldUntil) await halt('stopping: the lease could lapse before it is renewed');
      return;
    }
    if (generation === undefined) {
      if (working) await halt('fenced off: another process took the lease; standing by');
      return;
    }
    // Ours again, but it lapsed in between: another may have worked meanwhile, so start afresh.
    if (working && working.generation !== generation) {
      await halt('stopping: the lease lapsed before it was renewed; starting again under its new generation');
    }
    heldUntil = now + ttlMs;
    if (!working && !stopped) {
      const stop = await options.start(heldLease(generation));
      working = { generation, stop };
      log.info({ lease: name, holder, generation }, 'lease taken: working');
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      exclusive(tick)
        .catch((error: unknown) =>
          log.error({ lease: name, err: errorText(error) }, 'lease work failed to start; retrying'),
        )
        .finally(schedule);
    }, ttlMs / 3);
  };

  await exclusive(tick);
  if (!working) log.info({ lease: name, holder }, 'standing by: another process holds the lease');
  schedule();

  return {
    get active() {
      return working !== undefined;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await exclusive(async () => {
        const work = working;
        working = undefined;
        if (!work) return;
        await work.stop();
        await withTimeout(leases.release(name, holder), timeoutMs, 'releasing the lease').catch(() => undefined);
      });
    },
  };
}
