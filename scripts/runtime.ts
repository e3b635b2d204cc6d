import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../api/config.js';

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

/** Runs `stop` once on SIGTERM or SIGINT, then exits 0. */
export function onSignals(stop: (signal: string) => Promise<void>) {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stop(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGINT', () => handle('SIGINT'));
}
