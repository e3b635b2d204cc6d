import { ERASED, personalFields } from '../accounts/events.js';

const byType: Readonly<Record<string, readonly string[]>> = personalFields;

/** The personal fields of a stored event type; none for a type this build does not know. */
export const personalFieldsOf = (type: string): readonly string[] =>
  Object.prototype.hasOwnProperty.call(byType, type) ? byType[type]! : [];

/** How a personal field reads once its account is erased: lists keep their shape, with one entry. */
export const erasedValue = (value: unknown): string | string[] => (Array.isArray(value) ? [ERASED] : ERASED);

/** The data with every personal field of `type` that it has replaced by its erased value. */
export function withPersonalFieldsErased(type: string, data: Record<string, unknown>): Record<string, unknown> {
  const fields = personalFieldsOf(type).filter((f) => data[f] !== undefined);
  if (fields.length === 0) return data;
  return { ...data, ...Object.fromEntries(fields.map((f) => [f, erasedValue(data[f])])) };
}
