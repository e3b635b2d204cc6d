import type { Logger } from '../core/logger.js';
import type { Leases } from './readModel.js';

export interface LeasedWorkOptions {
  leases: Leases;
  name: string;
  /** unique per process (or stable per data directory, so a restart after a crash takes it back at once) */
  holder: string;
  /** the lease lapses this long after its last renewal; renewed every third of it */
  ttlMs: number;
  log: Logger;
  /** starts the work once the lease is ours and returns how to stop it */
  start(): Promise<() => Promise<void>>;
}

export interface LeasedWork {
  /** true while this process holds the lease and the work runs */
  readonly active: boolean;
  /** stops the work (finishing what is in flight), then gives the lease up */
  stop(): Promise<void>;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs `start()` only while holding the lease; otherwise stands by and tries again every third of
 * the TTL. A holder that cannot renew in time (lost to another, or the store unreachable until the
 * lease would lapse) stops its work before another may take over. Work that is at-least-once and
 * idempotent (projections, the email reactor's settled-check) stays correct in the short overlap a
 * paused process could still cause.
 */
export async function runWhileLeased(options: LeasedWorkOptions): Promise<LeasedWork> {
  const { leases, name, holder, ttlMs, log } = options;
  let stopWork: (() => Promise<void>) | undefined;
  let heldUntil = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const halt = async (why: string) => {
    const stop = stopWork;
    stopWork = undefined;
    if (!stop) return;
    log.warn({ lease: name, holder }, why);
    await stop();
  };

  async function tick() {
    const now = Date.now();
    let held: boolean;
    try {
      held = await leases.acquire(name, holder, ttlMs, new Date(now));
    } catch (error) {
      log.error({ lease: name, err: errorText(error) }, 'cannot reach the lease; retrying');
      // Keep working while the lease certainly is still ours; stop before it could lapse.
      if (Date.now() + ttlMs / 3 >= heldUntil) await halt('stopping: the lease could lapse before it is renewed');
      return;
    }
    if (!held) {
      if (stopWork) await halt('stopping: another process took the lease');
      return;
    }
    heldUntil = now + ttlMs;
    if (!stopWork && !stopped) {
      stopWork = await options.start();
      log.info({ lease: name, holder }, 'lease taken: working');
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) =>
          log.error({ lease: name, err: errorText(error) }, 'lease work failed to start; retrying'),
        )
        .finally(schedule);
    }, ttlMs / 3);
  };

  let running: Promise<void> = tick();
  await running;
  if (!stopWork) log.info({ lease: name, holder }, 'standing by: another process holds the lease');
  schedule();

  return {
    get active() {
      return stopWork !== undefined;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
      const wasActive = stopWork !== undefined;
      const stop = stopWork;
      stopWork = undefined;
      await stop?.();
      if (wasActive) await leases.release(name, holder).catch(() => undefined);
    },
  };
}
