import type { RecordedEvent } from '../eventStore/eventStore.js';
// account.ts imports emailJobs.ts, which imports this: its bindings are only read at call time, never at load.
import { evolveAccount, initialAccountState, type AccountState } from '../accounts/account.js';
import { accountEventTypes, type AccountEvent } from '../accounts/events.js';

const known = new Set<string>(accountEventTypes);

/**
 * The account as of these events. Types this build does not know pass by, as in every other consumer;
 * undefined when a stored payload is too broken to fold (that account's email cannot be handled, the
 * others' can — a throw here would stop the whole batch, again and again).
 */
export function accountStateOf(events: RecordedEvent[]): AccountState | undefined {
  try {
    return events
      .filter((e) => known.has(e.type))
      .reduce(
        (state, e) => evolveAccount(state, { type: e.type, data: e.data } as AccountEvent),
        initialAccountState(),
      );
  } catch {
    return undefined;
  }
}
