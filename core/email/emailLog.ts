/**
 * The slice of a pino logger the email adapters use, so tests can pass a plain recorder and `main.ts`
 * can pass `pino()` or a child of it. `warn` is optional: without it, warnings go to `info`.
 */
export interface EmailLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn?(obj: Record<string, unknown>, msg: string): void;
}
