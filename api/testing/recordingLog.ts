export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}

/** A logger that keeps its lines, for specs that check what was logged (and what was not). */
export function recordingLog() {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { log: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}
