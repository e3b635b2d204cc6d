import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signLink, verifyLink } from './linkToken.js';

const SECRET = Buffer.from('6b65797475726e2d746573742d7365637265742d33322d62797465732d2d2121', 'hex');
const OTHER_SECRET = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
const ACCOUNT_ID = '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b';
const LINK_ID = '7e57a11c-2222-4333-8444-555555555555';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The token with the character at `index` replaced by the one whose 6-bit value differs by `bits`. */
const flip = (token: string, index: number, bits: number) =>
  token.slice(0, index) + BASE64URL[BASE64URL.indexOf(token[index]!) ^ bits] + token.slice(index + 1);

describe('given a welcome link signed for an account', () => {
  const token = signLink(SECRET, 'welcome', ACCOUNT_ID, LINK_ID);

  it('verifies to the same account and link ids', () => {
    expect(verifyLink(SECRET, 'welcome', token)).toEqual({ accountId: ACCOUNT_ID, linkId: LINK_ID });
  });

  it('is URL-safe base64 of 16 + 16 + 32 bytes: a MAC of 256 bits, at least 128', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const raw = Buffer.from(token, 'base64url');
    expect(raw.length).toBe(64);
    expect((raw.length - 32) * 8).toBeGreaterThanOrEqual(128);
  });

  it('does not verify for the other purpose, nor under another secret', () => {
    expect(verifyLink(SECRET, 'reset', token)).toBeUndefined();
    expect(verifyLink(OTHER_SECRET, 'welcome', token)).toBeUndefined();
  });

  it('does not verify with any one character flipped in a bit that carries data', () => {
    // The last of 86 characters carries 2 data bits (its high bits) and 4 padding bits.
    for (let i = 0; i < token.length; i++) {
      expect(verifyLink(SECRET, 'welcome', flip(token, i, 0b100000)), `position ${i}`).toBeUndefined();
    }
  });

  // Base64url decoding ignores the last character's padding bits: only the canonical spelling verifies.
  it('does not verify with the last character flipped in a padding bit', () => {
    expect(verifyLink(SECRET, 'welcome', flip(token, token.length - 1, 0b000001))).toBeUndefined();
  });

  it('does not verify truncated', () => {
    expect(verifyLink(SECRET, 'welcome', token.slice(0, -1))).toBeUndefined();
    expect(verifyLink(SECRET, 'welcome', token.slice(0, -4))).toBeUndefined();
    expect(verifyLink(SECRET, 'welcome', token.slice(0, 43))).toBeUndefined();
  });

  it('does not verify overlong', () => {
    expect(verifyLink(SECRET, 'welcome', token + 'AAAA')).toBeUndefined();
    expect(verifyLink(SECRET, 'welcome', token + 'A'.repeat(200))).toBeUndefined();
  });

  it('does not verify with characters outside URL-safe base64, or empty', () => {
    const plainBase64 = token.replace(/-/g, '+').replace(/_/g, '/');
    expect(plainBase64).not.toBe(token); // this token has a '-', so the plain alphabet really differs
    expect(verifyLink(SECRET, 'welcome', plainBase64)).toBeUndefined();
    expect(verifyLink(SECRET, 'welcome', `${token}==`)).toBeUndefined();
    expect(verifyLink(SECRET, 'welcome', token.slice(0, 10) + '!' + token.slice(11))).toBeUndefined();
    expect(verifyLink(SECRET, 'welcome', ` ${token}`)).toBeUndefined();
    expect(verifyLink(SECRET, 'welcome', '')).toBeUndefined();
  });
});

describe('given links signed for different purposes and ids', () => {
  it('gives each purpose, link and secret its own token', () => {
    const welcome = signLink(SECRET, 'welcome', ACCOUNT_ID, LINK_ID);
    const tokens = new Set([
      welcome,
      signLink(SECRET, 'reset', ACCOUNT_ID, LINK_ID),
      signLink(SECRET, 'welcome', ACCOUNT_ID, '7e57a11c-2222-4333-8444-555555555556'),
      signLink(OTHER_SECRET, 'welcome', ACCOUNT_ID, LINK_ID),
    ]);
    expect(tokens.size).toBe(4);
    expect(signLink(SECRET, 'welcome', ACCOUNT_ID, LINK_ID)).toBe(welcome);
  });

  it('verifies a reset link for reset only', () => {
    const token = signLink(SECRET, 'reset', ACCOUNT_ID, LINK_ID);
    expect(verifyLink(SECRET, 'reset', token)).toEqual({ accountId: ACCOUNT_ID, linkId: LINK_ID });
    expect(verifyLink(SECRET, 'welcome', token)).toBeUndefined();
  });

  it('keeps password resets and PIN resets apart: neither token verifies as the other, nor as a welcome', () => {
    const reset = signLink(SECRET, 'reset', ACCOUNT_ID, LINK_ID);
    const pinReset = signLink(SECRET, 'pin-reset', ACCOUNT_ID, LINK_ID);
    expect(pinReset).not.toBe(reset);
    expect(verifyLink(SECRET, 'pin-reset', pinReset)).toEqual({ accountId: ACCOUNT_ID, linkId: LINK_ID });
    expect(verifyLink(SECRET, 'reset', pinReset)).toBeUndefined();
    expect(verifyLink(SECRET, 'welcome', pinReset)).toBeUndefined();
    expect(verifyLink(SECRET, 'pin-reset', reset)).toBeUndefined();
    expect(verifyLink(SECRET, 'pin-reset', signLink(SECRET, 'welcome', ACCOUNT_ID, LINK_ID))).toBeUndefined();
  });

  // Links already in inboxes were signed with the purpose name itself: they must keep verifying.
  it('signs welcome and reset links exactly as before per-purpose MAC strings existed', () => {
    const ids = Buffer.from((ACCOUNT_ID + LINK_ID).replace(/-/g, ''), 'hex');
    for (const purpose of ['welcome', 'reset'] as const) {
      const macBytes = createHmac('sha256', SECRET).update(purpose).update(ids).digest();
      expect(signLink(SECRET, purpose, ACCOUNT_ID, LINK_ID)).toBe(Buffer.concat([ids, macBytes]).toString('base64url'));
    }
  });
});
