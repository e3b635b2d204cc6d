import { pino, type DestinationStream, type Logger as Pino } from 'pino';

export interface LogOptions {
  level: string;
  production: boolean;
  /**
   * Human-readable lines (pino-pretty) instead of JSON. Default: outside production, when stdout is a
   * terminal; a process whose output is piped (a log collector, the specs) gets JSON, one event a line.
   */
  pretty?: boolean;
  /** where the lines go; stdout by default */
  destination?: DestinationStream;
}

/**
 * The process's logger. Secrets never reach a log line by design; the redaction is the net under
 * that, and in production it takes links too. pino-pretty is a devDependency: it is loaded only for
 * a developer's terminal, never in production.
 */
export async function createLog(options: LogOptions): Promise<Pino> {
  const secretKeys = ['token', 'password', ...(options.production ? ['link', 'setupLink'] : [])];
  const settings = {
    level: options.level,
    redact: ['req.headers.authorization', 'req.headers.cookie', ...secretKeys, ...secretKeys.map((key) => `*.${key}`)],
  };
  const pretty = options.pretty ?? (!options.production && process.stdout.isTTY === true);
  if (pretty && !options.production) {
    const stream = await prettyStream(options.destination);
    if (stream) return pino(settings, stream);
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

async function prettyStream(destination: DestinationStream | undefined) {
  try {
    const { default: pinoPretty } = await import('pino-pretty');
    // Addresses bare, without JSON quotes, so a terminal's click or double-click takes exactly the URL.
    const bare = (value: string | object) => (typeof value === 'string' ? value : JSON.stringify(value));
    return pinoPretty({
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname',
      customPrettifiers: { url: bare, link: bare, setupLink: bare, loginName: bare },
      // sync: lines appear in order with the rest of the output, and none is lost at exit
      sync: true,
      ...(destination ? { destination } : {}),
    });
  } catch {
    return undefined; // installed without devDependencies: JSON it is
  }
}
