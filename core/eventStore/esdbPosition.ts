import type { Position } from './eventStore.js';

/** A position in EventStoreDB's transaction log, as the client reports it. */
export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

/** `"<commit>:<prepare>"`: a plain string, so checkpoints store it like any other position. */
export const encodePosition = (position: LogPosition): Position => `${position.commit}:${position.prepare}`;

export function decodePosition(position: Position): LogPosition {
  const match = /^([0-9]{1,20}):([0-9]{1,20})$/.exec(position);
  if (!match) {
    // A checkpoint written by the SQLite store (a plain number) lands here when a deployment switches
    // stores without rebuilding its read model: say so instead of reading from a wrong place.
    throw new Error(
      `"${position}" is not an EventStoreDB position; rebuild the read model after switching event stores`,
    );
  }
  return { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
}

/** Log order: commit position first, then prepare position (events of one append share a commit). */
export function compareLogPositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export const compareEncodedPositions = (a: Position, b: Position) =>
  compareLogPositions(decodePosition(a), decodePosition(b));
