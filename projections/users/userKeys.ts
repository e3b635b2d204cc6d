import { normalizeEmail } from '../../core/validation.js';

/**
 * The derived keys every adapter stores next to a user document, computed in one place so that
 * SQLite and MongoDB sort, match and page identically (neither store's own case folding is used).
 */
export const nameKey = (name: string) => name.toLowerCase();
export const emailKey = (email: string) => normalizeEmail(email);

/**
 * The search text as typed, trimmed; undefined when there is nothing to search for. Extensions are
 * digits only, so text with anything else cannot start one and skips that comparison.
 */
export function searchTerm(search: string | undefined): { name: string; extension?: string } | undefined {
  const text = search?.trim();
  if (!text) return undefined;
  return /^[0-9]+$/.test(text) ? { name: nameKey(text), extension: text } : { name: nameKey(text) };
}

/** Milliseconds since the epoch; an unreadable expiry counts as long past, as `statusOf` treats it. */
export function expiryKey(expiresAt: string | undefined): number | undefined {
  if (expiresAt === undefined) return undefined;
  const ms = Date.parse(expiresAt);
  return Number.isNaN(ms) ? 0 : ms;
}
