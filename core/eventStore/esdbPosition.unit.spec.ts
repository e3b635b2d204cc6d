import { describe, expect, it } from 'vitest';
import { compareEncodedPositions, decodePosition, encodePosition } from './esdbPosition.js';

describe('given EventStoreDB log positions', () => {
  it('encode as "<commit>:<prepare>" and decode back, beyond 2^53', () => {
    const position = { commit: 18_446_744_073_709_551_000n, prepare: 18_446_744_073_709_550_000n };
    expect(encodePosition(position)).toBe('18446744073709551000:18446744073709550000');
    expect(decodePosition(encodePosition(position))).toEqual(position);
  });

  it('order by commit, then by prepare (events of one append share a commit)', () => {
    expect(compareEncodedPositions('10:10', '20:20')).toBeLessThan(0);
    expect(compareEncodedPositions('20:5', '10:10')).toBeGreaterThan(0);
    expect(compareEncodedPositions('30:10', '30:20')).toBeLessThan(0);
    expect(compareEncodedPositions('30:20', '30:20')).toBe(0);
    // numerically, not as text
    expect(compareEncodedPositions('9:9', '10:10')).toBeLessThan(0);
  });

  it('refuse a position of another store (a SQLite checkpoint) with a message saying what to do', () => {
    expect(() => decodePosition('42')).toThrow(/rebuild the read model/);
    expect(() => decodePosition('1:2:3')).toThrow(/not an EventStoreDB position/);
  });
});
