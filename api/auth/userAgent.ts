import Bowser from 'bowser';
import { UNKNOWN_BROWSER } from '../../projections/readModel.js';

/** Longer headers are cut before parsing: the parser's patterns need no more, and nobody sends more. */
const MAX_HEADER = 512;
/** Bowser falls back to the header's first word for browsers it does not know: client text, kept short. */
const MAX_PART = 40;

/**
 * A readable summary of a User-Agent header — "Chrome on Windows", "Safari on iPhone" — which is all
 * that is stored: the raw header fingerprints a device far better than a person needs to recognise it.
 */
export function summarizeUserAgent(header: string | undefined): string {
  const text = header?.trim().slice(0, MAX_HEADER);
  if (!text) return UNKNOWN_BROWSER;
  const parser = Bowser.getParser(text);
  const browser = parser.getBrowserName().slice(0, MAX_PART);
  const os = parser.getOSName().slice(0, MAX_PART);
  // iOS says which device it runs on, which is what people call it ("Safari on iPad").
  const model = parser.getPlatform().model;
  const where = os === 'iOS' && (model === 'iPhone' || model === 'iPad') ? model : os;
  if (browser && where) return `${browser} on ${where}`;
  if (browser) return browser;
  return where ? `${UNKNOWN_BROWSER} on ${where}` : UNKNOWN_BROWSER;
}
