const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// No-break spaces keep "23 h" and "59 min" together when a line wraps.
const NB = '\u00a0';
const plural = (n: number, word: string) => `${n}${NB}${word}${n === 1 ? '' : 's'}`;

/** "3 h 12 min", "2 days", "less than a minute": a length of time the way people say it. */
export function durationWords(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return 'less than a minute';
  if (abs < HOUR) return `${Math.floor(abs / MINUTE)}${NB}min`;
  if (abs < DAY) {
    const h = Math.floor(abs / HOUR);
    const min = Math.floor((abs % HOUR) / MINUTE);
    return min > 0 ? `${h}${NB}h ${min}${NB}min` : `${h}${NB}h`;
  }
  const days = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  return days === 1 && h > 0 ? `1${NB}day ${h}${NB}h` : plural(days, 'day');
}

/** "expires in 3 h 12 min" / "expired 2 days ago". */
export function expiryWords(expiresAt: string | null | undefined, now: Date): string | undefined {
  if (!expiresAt) return undefined;
  const left = new Date(expiresAt).getTime() - now.getTime();
  return left > 0 ? `expires in ${durationWords(left)}` : `expired ${durationWords(left)} ago`;
}

/** "3 min ago", "2 days ago"; "just now" under a minute. */
export function agoWords(at: string, now: Date): string {
  const ms = now.getTime() - new Date(at).getTime();
  return ms < MINUTE ? 'just now' : `${durationWords(ms)} ago`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** In the reader's own time zone: pages render in the browser (see routes/+layout.ts). */
export const dateTime = (iso: string) => dateTimeFormat.format(new Date(iso));
export const date = (iso: string) => dateFormat.format(new Date(iso));
