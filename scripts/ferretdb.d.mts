// Types for scripts/ferretdb.mjs (plain JS so that it runs with `node` alone).
export declare const FERRETDB_VERSION: string;

export declare function buildFerretDb(opts?: { log?: (msg: string) => void }): Promise<string>;

export interface FerretDbServer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

export declare function startFerretDb(opts: {
  port?: number;
  dataDir: string;
  log?: (msg: string) => void;
  stderr?: NodeJS.WritableStream;
  /** the backend: sqlite (default), or postgresql with `postgresqlUrl` (a database that exists) */
  handler?: 'sqlite' | 'postgresql';
  postgresqlUrl?: string;
}): Promise<FerretDbServer>;
