import { describe, expect, it } from 'vitest';
import { KeyturnError } from '../errors.js';
import { DeciderSpecification } from './decider.js';

// A toy counter: the helper itself must fail loudly, or every spec built on it could pass vacuously.
type Event = { type: 'Added'; by: number };
type Command = { type: 'Add'; by: number };
const spec = DeciderSpecification.for<Command, Event, number>({
  initialState: () => 0,
  evolve: (total, event) => total + event.by,
  decide: (command, total) => {
    if (command.by === 0) return [];
    if (total + command.by > 10) throw new KeyturnError('BAD_USER_INPUT', 'Too much.', { by: ['at most 10'] });
    return [{ type: 'Added', by: command.by }];
  },
});

describe('DeciderSpecification, given a total folded from earlier events', () => {
  const given = spec.given([
    { type: 'Added', by: 4 },
    { type: 'Added', by: 5 },
  ]);

  it('passes when the decided events are exactly the expected ones', () => {
    given.when({ type: 'Add', by: 1 }).then([{ type: 'Added', by: 1 }]);
  });

  it('fails when the decided events differ', () => {
    expect(() => given.when({ type: 'Add', by: 1 }).then([{ type: 'Added', by: 2 }])).toThrow();
    expect(() => given.when({ type: 'Add', by: 1 }).thenNothingHappened()).toThrow();
  });

  it('passes thenThrows on the right code and fields, and hands the error back', () => {
    const error = given.when({ type: 'Add', by: 2 }).thenThrows('BAD_USER_INPUT', ['by']);
    expect(error.fields).toEqual({ by: ['at most 10'] });
  });

  it('fails thenThrows on another code, other fields, or no error at all', () => {
    expect(() => given.when({ type: 'Add', by: 2 }).thenThrows('CONFLICT')).toThrow();
    expect(() => given.when({ type: 'Add', by: 2 }).thenThrows('BAD_USER_INPUT', ['other'])).toThrow();
    expect(() => given.when({ type: 'Add', by: 1 }).thenThrows('BAD_USER_INPUT')).toThrow();
  });

  it('passes thenNothingHappened only when no event is decided', () => {
    given.when({ type: 'Add', by: 0 }).thenNothingHappened();
  });
});
