import type { Position } from '../eventStore/eventStore.js';

/** One batch of events read by the reactor, with the count of its jobs not yet settled. */
export interface Mark {
  readonly position: Position;
  open: number;
}

/**
 * Where the checkpoint may move: past the newest batch whose jobs, and every earlier batch's, are
 * settled (outcome recorded, or nothing to send). Chunks come back in any order; a batch whose
 * jobs are still in flight holds the checkpoint before it, so a restart hands those jobs out again.
 */
export function settledPrefix() {
  const marks: Mark[] = [];
  return {
    /** a batch read, ending at `position`, with `open` jobs to settle */
    add(position: Position, open: number): Mark {
      const mark = { position, open };
      marks.push(mark);
      return mark;
    },
    settle(mark: Mark) {
      if (mark.open <= 0) throw new Error('EMAIL-7Kq2z: a job was settled twice');
      mark.open--;
    },
    /** the position the checkpoint may move to, once; undefined when it may not move */
    take(): Position | undefined {
      let position: Position | undefined;
      while (marks.length > 0 && marks[0]!.open === 0) position = marks.shift()!.position;
      return position;
    },
  };
}
