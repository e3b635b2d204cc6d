import type { RecordedEvent } from './eventStore.js';

/**
 * Turns the stored data of one event type into the shape the code reads today. Stored names and
 * fields are never rewritten or renamed; older shapes are mapped here, on the way out of the store.
 */
export type Upcaster = (data: Record<string, unknown>, event: RecordedEvent) => Record<string, unknown>;

/** Rules by stored event type, applied in order. */
export type UpcastRules = Readonly<Record<string, readonly Upcaster[]>>;

/**
 * Today's rules. None yet: every shape change so far only added optional fields (`noticeId` on
 * email changes). A change that renames or restructures a field adds its rule here, with a spec.
 */
export const upcastRules: UpcastRules = {};

export type Upcast = (event: RecordedEvent) => RecordedEvent;

/** The one upcasting step every adapter runs on every event it reads (streams, `$all`, subscriptions). */
export function createUpcast(rules: UpcastRules = upcastRules): Upcast {
  return (event) => {
    const steps = rules[event.type];
    if (!steps || steps.length === 0 || event.data === null || typeof event.data !== 'object') return event;
    const data = steps.reduce((d, step) => step(d, event), event.data as Record<string, unknown>);
    return { ...event, data };
  };
}
