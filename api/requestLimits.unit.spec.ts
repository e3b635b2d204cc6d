import { describe, expect, it } from 'vitest';
import { addressKey, createRequestLimits } from './requestLimits.js';

describe('given client addresses', () => {
  it('keys IPv4 by the address, IPv4-mapped IPv6 by its IPv4 address, and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('unknown')).toBe('unknown');
  });
});

describe('given a budget of 2 anonymous requests a minute', () => {
  it('gives a whole IPv6 /64 one budget, and another /64 its own', async () => {
    const limits = createRequestLimits({ anonymousPerMinute: 2 });
    await limits.consume({ kind: 'address', address: '2001:db8:1:2::1' });
    await limits.consume({ kind: 'address', address: '2001:db8:1:2::2' });
    await expect(limits.consume({ kind: 'address', address: '2001:db8:1:2:ffff::3' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    await limits.consume({ kind: 'address', address: '2001:db8:1:3::1' });
  });
});
