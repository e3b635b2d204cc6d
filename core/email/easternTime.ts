/**
 * Postmark's Messages API reads `fromdate` / `todate` as wall-clock time in the US Eastern time zone
 * (https://postmarkapp.com/developer/api/messages-api, "Our API uses Eastern Time Zone"), daylight
 * saving included. These convert between that wall clock and instants, with the platform's own time
 * zone data (Intl), at a second's resolution.
 */
const ZONE = 'America/New_York';

const wallClock = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** `2026-12-01T13:05:09` for 18:05:09 UTC in winter (EST, UTC−5). */
export function toEasternTime(at: Date): string {
  const part = Object.fromEntries(wallClock.formatToParts(at).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}:${part.second}`;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * The instant an Eastern wall-clock time names (a date alone is its midnight); undefined when it is not
 * one. An hour that repeats when daylight saving ends reads as its first occurrence.
 */
export function fromEasternTime(text: string): Date | undefined {
  const m = WALL.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(asUtc)) return undefined;
  // The zone's offset at a guess, then at the corrected instant: twice settles it, DST changes included.
  let at = asUtc;
  for (let i = 0; i < 2; i++) at = asUtc - offsetAt(new Date(at));
  const earlier = asUtc - offsetAt(new Date(at - 3_600_000));
  return new Date(toEasternTime(new Date(earlier)) === toEasternTime(new Date(at)) ? Math.min(earlier, at) : at);
}

/** wall clock minus UTC, in ms, at `at` */
function offsetAt(at: Date): number {
  const wall = toEasternTime(at);
  const [date, time] = wall.split('T') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(at.getTime() / 1000) * 1000;
}
