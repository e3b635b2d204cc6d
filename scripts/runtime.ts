import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../api/config.js';
import { exitOnSignals } from '../api/shutdown.js';
import type { Logger } from '../core/logger.js';

/** The configuration, or exit code 2 with a message naming the variable (as `npm start` does). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

export const processLogger = (config: Config) => pino({ level: config.logLevel, redact: ['*.token', '*.password'] });

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0; a second signal, or `SHUTDOWN_BOUND_MS`
 * passing first, exits 1 with a line saying the stop was still pending (see `exitOnSignals`).
 */
export function onSignals(stop: (signal: string) => Promise<void>, log: Logger = stderrLog) {
  exitOnSignals({ log, announce: false, steps: [{ name: 'the batch in flight and closing the stores', run: stop }] });
}

/** One JSON line on stderr, for the forced-exit line of a script that hands no logger over. */
const stderrLog: Logger = {
  info: () => {},
  warn: (obj, msg) => console.error(JSON.stringify({ level: 'warn', ...obj, msg })),
  error: (obj, msg) => console.error(JSON.stringify({ level: 'error', ...obj, msg })),
};
