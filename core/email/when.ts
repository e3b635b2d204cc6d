/**
 * Dates as people read them in an email. Always UTC and spelled out by hand, so the text does not depend
 * on the server's locale or ICU data, and "in N hours" comes from the send time the caller passes —
 * rendering the same event twice gives the same email.
 */

const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number) => String(n).padStart(2, '0');

/** "3 March 2026, 14:05 UTC" */
export const formatUtc = (date: Date) =>
  `${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}, ` +
  `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;

const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "in 24 hours", "in 1 hour 30 minutes", "in 45 minutes"; "already expired" when not in the future. */
export function timeUntil(at: Date, from: Date): string {
  const minutes = Math.round((at.getTime() - from.getTime()) / 60_000);
  if (minutes <= 0) return 'already expired';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `in ${unit(rest, 'minute')}`;
  return rest === 0 ? `in ${unit(hours, 'hour')}` : `in ${unit(hours, 'hour')} ${unit(rest, 'minute')}`;
}

/** "This link expires on 3 March 2026, 14:05 UTC (in 24 hours)." */
export const expirySentence = (expiresAt: Date, sentAt: Date) =>
  `This link expires on ${formatUtc(expiresAt)} (${timeUntil(expiresAt, sentAt)}).`;
