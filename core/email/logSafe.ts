const ADDRESS = /[^\s@,;:<>()"'[\]]+@[^\s@,;:<>()"'[\]]+/g;
const TOKEN = /(token=)[^\s&"'<>]+/gi;

/**
 * Text of an error or a provider message with addresses and link tokens taken out, short enough for a
 * log line or an event's reason: a reason lands on one account's history, and a batch's message may
 * name the addresses of the others.
 */
export function safeText(error: unknown, max = 300): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(ADDRESS, '[address]').replace(TOKEN, '$1[redacted]').slice(0, max);
}
