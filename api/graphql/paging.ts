import { badInput } from '../../core/errors.js';
import { PAGE_MAX } from './connection.js';

/** `first` between 1 and 200, with a message a person understands. */
export function pageSize(first: number | undefined, fallback = 50): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > PAGE_MAX) {
    throw badInput({ first: [`Ask for 1 to ${PAGE_MAX} items at a time.`] });
  }
  return n;
}

export const toConnection = <V, T>(
  page: { totalCount: number; edges: { cursor: string; node: V }[]; hasNextPage: boolean; endCursor?: string },
  map: (v: V) => T,
) => ({
  totalCount: page.totalCount,
  edges: page.edges.map((e) => ({ cursor: e.cursor, node: map(e.node) })),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});
