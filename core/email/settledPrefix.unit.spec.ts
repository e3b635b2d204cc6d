import { describe, expect, it } from 'vitest';
import { settledPrefix } from './settledPrefix.js';

describe('given three batches read, with jobs at the provider', () => {
  it('moves past a batch only once it and every batch before it are settled, whatever order chunks come back in', () => {
    const marks = settledPrefix();
    const one = marks.add('10', 2);
    const two = marks.add('20', 1);
    marks.add('30', 0);
    marks.settle(two);
    expect(marks.take()).toBeUndefined();
    marks.settle(one);
    expect(marks.take()).toBeUndefined();
    marks.settle(one);
    expect(marks.take()).toBe('30');
    expect(marks.take()).toBeUndefined();
  });

  it('refuses to settle a job twice', () => {
    const marks = settledPrefix();
    const one = marks.add('10', 1);
    marks.settle(one);
    expect(() => marks.settle(one)).toThrow(/EMAIL-7Kq2z/);
  });
});
