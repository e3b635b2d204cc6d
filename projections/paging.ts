import { badInput } from '../core/errors.js';
import type { Page } from './readModel.js';

/** Shared by every adapter so that page sizes and cursors behave the same whatever the store. */
export const MAX_PAGE_SIZE = 200;

export const clampFirst = (first: number) => Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(first) || 1));

type KeyType = 'string' | 'number';
type Keys<S extends readonly KeyType[]> = { [I in keyof S]: S[I] extends 'string' ? string : number };

/** A cursor is the sort key of the last row seen, base64url so clients treat it as opaque. */
export const encodeCursor = (key: readonly (string | number)[]) =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor<const S extends readonly KeyType[]>(cursor: string, shape: S): Keys<S> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const fits = Array.isArray(key) && key.length === shape.length && key.every((part, i) => typeof part === shape[i]);
  if (!fits) throw badInput({ after: ['This cursor is not valid. Start again from the first page.'] });
  return key as Keys<S>;
}

/**
 * A first page that is not full holds every match: counting them again would scan the same index
 * twice, which is most of the cost of a search for something rare.
 */
export const totalIfComplete = (fetched: number, first: number, after: string | undefined) =>
  after === undefined && fetched <= first ? fetched : undefined;

/** `rows` were fetched with a limit of `first + 1`: the extra row only says that another page exists. */
export function pageOf<T>(rows: T[], first: number, totalCount: number, cursorOf: (row: T) => string): Page<T> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: cursorOf(node), node }));
  const endCursor = edges[edges.length - 1]?.cursor;
  return { totalCount, edges, hasNextPage: rows.length > first, ...(endCursor ? { endCursor } : {}) };
}
