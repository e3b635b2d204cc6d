import { nameKey } from './userKeys.js';

/**
 * What a users search means, decided once so that every adapter matches the same users:
 * - the text is split into words (whitespace); a user matches when the name contains every word,
 *   in any order and any case, anywhere in it ("ada love" finds "Ada Lovelace");
 * - text that is digits only also matches extensions starting with it ("10" finds 100 and 1000);
 * - text of the form `<digits>@…` is a login name: it finds the user whose login name starts with
 *   it, so "100@", "100@ac" and "100@acme" all find extension 100 of organization `acme` (and "100@x"
 *   nobody there). Someone reading a login name off a phone sees the one user from the "@" on, and
 *   it does not vanish while they finish typing. Names are not searched for such text.
 * The text is data: no character has a meaning, and control characters are stripped here (the API
 * refuses them before this).
 */
export type SearchPlan =
  | {
      /** distinct lower-cased words, none inside another, the longest first; never empty */
      words: string[];
      extensionPrefix?: string;
      login?: undefined;
    }
  | { words: []; login: { extension: string; prefix: string } };

/**
 * Counting stops here: beyond it a search reports `COUNT_CAP` and `totalCountIsExact: false`
 * ("1,000+"), so that a search for one letter never counts a whole organization.
 */
export const COUNT_CAP = 1000;

const CONTROL = /\p{Cc}/gu;

export const hasControlCharacters = (text: string) => /\p{Cc}/u.test(text);

export function searchPlan(search: string | undefined): SearchPlan | undefined {
  const text = nameKey((search ?? '').replace(CONTROL, ' ')).trim();
  if (!text) return undefined;
  const login = /^([0-9]+)@\S*$/.exec(text);
  if (login) return { words: [], login: { extension: login[1]!, prefix: text } };
  const typed = [...new Set(text.split(/\s+/))];
  // "ada ad" asks nothing more than "ada"; the longest word first is the most selective
  const words = typed
    .filter((word) => !typed.some((other) => other !== word && other.includes(word)))
    .sort((a, b) => b.length - a.length);
  return /^[0-9]+$/.test(text) ? { words, extensionPrefix: text } : { words };
}

/** The first digit string after every one that starts with `prefix` (`"109"` → `"10:"`), for a range. */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
