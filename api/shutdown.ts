import type { Server } from 'node:http';
import type { Logger } from '../core/logger.js';

/** SIGTERM to exit, at most, stores reachable or not (README, "Stopping"). */
export const SHUTDOWN_BOUND_MS = 10_000;
/** how long requests in flight may take before their connections are closed */
export const REQUEST_GRACE_MS = 5_000;
/** a second signal sooner than this after the first is the same one delivered twice */
const REPEAT_AFTER_MS = 1_000;
/** how long start-up waits for a store to answer before it gives up (README, "Stopping") */
export const STARTUP_STORE_BOUND_MS = 10_000;

export interface ShutdownStep {
  /** what the forced-exit log line calls this step while it is still pending */
  name: string;
  run(signal: string): Promise<void>;
}

export interface ShutdownOptions {
  log: Logger;
  steps: ShutdownStep[];
  /** the step names still pending get this detail in the forced-exit line (e.g. open requests) */
  detail?: () => Record<string, unknown>;
  boundMs?: number;
  /** log "stopping: …" when the signal comes (default true; false when a step says it itself) */
  announce?: boolean;
  exit?: (code: number) => void;
}

/**
 * Runs the steps in order on the first SIGTERM or SIGINT, then exits 0. A second signal, or the bound
 * passing, exits 1 at once with one line naming what was still pending: a store that stopped
 * answering (FerretDB wedged, a partition) costs at most the bound, never a process left hanging.
 * The exit is explicit, so no timer, socket or driver pool left open keeps the process alive.
 */
export function exitOnSignals(options: ShutdownOptions) {
  const { log, steps, boundMs = SHUTDOWN_BOUND_MS, exit = (code) => process.exit(code) } = options;
  let current = -1;
  const pending = () => steps.slice(Math.max(current, 0)).map((s) => s.name);
  const force = (why: string) => {
    log.error({ pending: pending(), ...options.detail?.(), boundMs }, `exiting before the stop finished: ${why}`);
    exit(1);
  };
  let firstAt = 0;
  const stop = async (signal: string) => {
    if (current >= 0) {
      // `kill -TERM -<pgid>` under npm delivers twice (the group's, and npm passing it on): only a
      // signal sent again on purpose, a moment later, forces the exit.
      if (Date.now() - firstAt < REPEAT_AFTER_MS) return;
      return force(`a second ${signal}`);
    }
    current = 0;
    firstAt = Date.now();
    if (options.announce !== false)
      log.info({ signal, boundMs }, 'stopping: finishing requests and the batch in flight');
    setTimeout(() => force(`the ${boundMs / 1000} s bound passed`), boundMs).unref();
    try {
      for (; current < steps.length; current++) await steps[current]!.run(signal);
    } catch (error) {
      log.error(
        { step: steps[current]?.name, err: error instanceof Error ? error.message : String(error) },
        'stop step failed',
      );
      return exit(1);
    }
    log.info({}, 'stopped');
    exit(0);
  };
  const onTerm = () => void stop('SIGTERM');
  const onInt = () => void stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return {
    /** as if a signal came; for tests */
    stop,
    dispose() {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    },
  };
}

/** Counts requests in flight, so the stop can finish them and say how many it had to cut. */
export function trackRequests(server: Server) {
  let open = 0;
  server.on('request', (_req, res) => {
    open++;
    res.once('close', () => open--);
  });
  return {
    get open() {
      return open;
    },
    /** stops accepting, lets requests in flight finish for `graceMs`, then closes their connections */
    close(graceMs = REQUEST_GRACE_MS) {
      return new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

/** `work`, or a rejection naming `what` once `ms` passed without an answer. */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
