import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkPurpose = 'welcome' | 'reset' | 'pin-reset';

/**
 * What each purpose puts into the MAC, so a token made for one purpose never verifies for another (a
 * password-reset token must not reset a PIN). Part of every link already sent: changing one voids
 * those links. The MAC input is these bytes and then exactly 32 id bytes, so distinct strings can
 * never give the same input.
 */
const macPurpose = {
  welcome: 'welcome',
  reset: 'reset',
  'pin-reset': 'voicemail-pin-reset',
} as const satisfies Record<LinkPurpose, string>;

const UUID_BYTES = 16;
const MAC_BYTES = 32;

const uuidToBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');
const bytesToUuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

const mac = (secret: Buffer, purpose: LinkPurpose, accountId: Buffer, linkId: Buffer) =>
  createHmac('sha256', secret).update(macPurpose[purpose]).update(accountId).update(linkId).digest();

/**
 * `base64url(accountId · linkId · HMAC-SHA256(secret, purpose · accountId · linkId))`. Nothing secret is
 * stored: the reactor rebuilds the link from the event, and verification is a MAC check plus the
 * account's own state (newest, unexpired, unused).
 */
export function signLink(secret: Buffer, purpose: LinkPurpose, accountId: string, linkId: string): string {
  const a = uuidToBytes(accountId);
  const l = uuidToBytes(linkId);
  return Buffer.concat([a, l, mac(secret, purpose, a, l)]).toString('base64url');
}

/** The ids inside a token whose MAC is genuine for this purpose, or undefined (tampered / malformed). */
export function verifyLink(
  secret: Buffer,
  purpose: LinkPurpose,
  token: string,
): { accountId: string; linkId: string } | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== UUID_BYTES * 2 + MAC_BYTES || raw.toString('base64url') !== token) return undefined;
  const a = raw.subarray(0, UUID_BYTES);
  const l = raw.subarray(UUID_BYTES, UUID_BYTES * 2);
  const expected = mac(secret, purpose, a, l);
  if (!timingSafeEqual(expected, raw.subarray(UUID_BYTES * 2))) return undefined;
  return { accountId: bytesToUuid(a), linkId: bytesToUuid(l) };
}
