import { expect } from 'vitest';
import type { ErrorCode } from '../errors.js';
import { KeyturnError } from '../errors.js';

export interface Decider<Command, Event, State> {
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}

/**
 * Given/when/then for a pure decider, after emmett's `DeciderSpecification`: the given events are folded
 * with `evolve` from the initial state, the command is decided against the result, and the outcome is
 * either the exact new events or a KeyturnError with a code (and, optionally, exactly these failing fields).
 */
export const DeciderSpecification = {
  for<Command, Event, State>(decider: Decider<Command, Event, State>) {
    return {
      given(events: readonly Event[]) {
        return {
          when(command: Command) {
            const run = () =>
              decider.decide(
                command,
                events.reduce((state, event) => decider.evolve(state, event), decider.initialState()),
              );
            return {
              then(expected: readonly Event[]): void {
                expect(run()).toEqual(expected);
              },
              thenNothingHappened(): void {
                expect(run()).toEqual([]);
              },
              thenThrows(code: ErrorCode, fields?: readonly string[]): KeyturnError {
                let outcome: unknown;
                try {
                  outcome = run();
                } catch (error) {
                  expect(error).toBeInstanceOf(KeyturnError);
                  const failure = error as KeyturnError;
                  expect(failure.code).toBe(code);
                  if (fields) expect(Object.keys(failure.fields ?? {}).sort()).toEqual([...fields].sort());
                  return failure;
                }
                return expect.fail(`expected ${code}, but the decider returned ${JSON.stringify(outcome)}`);
              },
            };
          },
        };
      },
    };
  },
};
