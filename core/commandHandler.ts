import { randomUUID } from 'node:crypto';
import {
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from './eventStore/eventStore.js';

export interface Decider<Command, Event extends { type: string; data: unknown }, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface Loaded<State> {
  state: State;
  expectedRevision: ExpectedRevision;
}

export async function loadState<Event extends { type: string; data: unknown }, State>(
  store: EventStore,
  streamName: string,
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
): Promise<Loaded<State>> {
  return foldState(await store.readStream(streamName), decider);
}

export function foldState<Event extends { type: string; data: unknown }, State>(
  events: RecordedEvent[],
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
): Loaded<State> {
  const state = events.reduce(
    (s, e) => decider.evolve(s, { type: e.type, data: e.data } as Event),
    decider.initialState(),
  );
  const last = events[events.length - 1];
  return { state, expectedRevision: last ? last.revision : 'no_stream' };
}

/** `ids[i]`, when given, is the id of `events[i]`; the rest get random ids. */
export const toNewEvents = (
  events: { type: string; data: unknown }[],
  metadata: EventMetadata,
  ids: readonly string[] = [],
): NewEvent[] => events.map((e, i) => ({ id: ids[i] ?? randomUUID(), type: e.type, data: e.data, metadata }));

export interface HandleOptions {
  /** default 3 */
  attempts?: number;
  /**
   * Ids for the decided events, in order: a command that arrives again from outside (a provider's
   * webhook) is then appended with the same ids, which stores that deduplicate ids make a no-op.
   */
  eventIds?: readonly string[];
}

export interface Handled<Event, State> {
  events: Event[];
  state: State;
  position?: Position;
}

/**
 * Read the stream, decide, append with the revision we decided on. A concurrent writer makes the
 * append fail; we then decide again on the fresh state, so two submits of one link end as one success
 * and one LINK_USED rather than two successes.
 */
export async function handleCommand<Command, Event extends { type: string; data: unknown }, State>(
  store: EventStore,
  streamName: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  metadata: EventMetadata,
  { attempts = 3, eventIds }: HandleOptions = {},
): Promise<Handled<Event, State>> {
  for (let attempt = 1; ; attempt++) {
    const { state, expectedRevision } = await loadState(store, streamName, decider);
    const events = decider.decide(command, state);
    const newState = events.reduce((s, e) => decider.evolve(s, e), state);
    if (events.length === 0) return { events, state: newState };
    try {
      const result = await store.appendToStream(streamName, toNewEvents(events, metadata, eventIds), {
        expectedRevision,
      });
      return { events, state: newState, position: result.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= attempts) throw error;
    }
  }
}
