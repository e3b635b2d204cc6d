import { normalizeEmail } from '../../core/validation.js';

/**
 * The derived keys every adapter stores next to a user document, computed in one place so that
 * SQLite and MongoDB sort, match and page identically (neither store's own case folding is used).
 */
export const nameKey = (name: string) => name.toLowerCase();
export const emailKey = (email: string) => normalizeEmail(email);

/** Milliseconds since the epoch; an unreadable expiry counts as long past, as `statusOf` treats it. */
export function expiryKey(expiresAt: string | undefined): number | undefined {
  if (expiresAt === undefined) return undefined;
  const ms = Date.parse(expiresAt);
  return Number.isNaN(ms) ? 0 : ms;
}
