import { describe, expect, it } from 'vitest';
import { StaleLeaseError } from '../core/eventStore/fencing.js';
import { recordingLog } from '../api/testing/recordingLog.js';
import { eventually } from '../api/testing/harness.js';
import { runWhileLeased, type HeldLease } from './lease.js';
import type { LeaseState, Leases } from './readModel.js';

const TTL = 300;

/** A lease store whose answers the test sets: the generation a take gets, or one that never answers. */
function scriptedLeases() {
  let answer: number | undefined | 'hang' = 1;
  let state: LeaseState | undefined;
  let hangReads = false;
  const released: string[] = [];
  const leases: Leases = {
    acquire(_name, holder, ttlMs, now) {
      if (answer === 'hang') return new Promise(() => {});
      if (answer !== undefined) state = { holder, generation: answer, expiresMs: now.getTime() + ttlMs };
      return Promise.resolve(answer);
    },
    async release(_name, holder) {
      released.push(holder);
    },
    current() {
      return hangReads ? new Promise(() => {}) : Promise.resolve(state);
    },
  };
  return {
    leases,
    released,
    answer: (next: number | undefined | 'hang') => (answer = next),
    hangReads: (on: boolean) => (hangReads = on),
    takenBy: (holder: string, generation: number) => (state = { holder, generation, expiresMs: Date.now() + TTL }),
  };
}

/** Work that records what it was started under and whether it was stopped. */
function recordingWork() {
  const runs: { lease: HeldLease; stopped: boolean }[] = [];
  return {
    runs,
    start: async (lease: HeldLease) => {
      const run = { lease, stopped: false };
      runs.push(run);
      return async () => {
        run.stopped = true;
      };
    },
  };
}

const leased = (store: ReturnType<typeof scriptedLeases>, work: ReturnType<typeof recordingWork>) => {
  const { log, lines } = recordingLog();
  const running = runWhileLeased({
    leases: store.leases,
    name: 'projector',
    holder: 'me',
    ttlMs: TTL,
    log,
    start: work.start,
  });
  return { running, lines };
};

describe('given the lease is free', () => {
  it('the work starts under the generation taken, and knows while it still holds it', async () => {
    const store = scriptedLeases();
    const work = recordingWork();
    const work1 = await leased(store, work).running;
    expect(work1.active).toBe(true);
    expect(work.runs.map((r) => r.lease.generation)).toEqual([1]);
    expect(await work.runs[0]!.lease.stillHeld()).toBe(true);
    store.takenBy('another', 2);
    store.answer(undefined);
    expect(await work.runs[0]!.lease.stillHeld()).toBe(false);
    // the work does not go on once its lease cannot be confirmed
    await eventually(() => !work1.active && work.runs[0]!.stopped, 'the work to stop');
    await work1.stop();
  });

  it('a lease that cannot be confirmed stops the work, which starts again once the lease is renewed', async () => {
    const store = scriptedLeases();
    const work = recordingWork();
    const lease = await leased(store, work).running;
    store.takenBy('me', 1);
    store.hangReads(true);
    expect(await work.runs[0]!.lease.stillHeld()).toBe(false);
    store.hangReads(false);
    await eventually(() => work.runs.length === 2, 'the work to start again');
    expect(work.runs.map((r) => [r.lease.generation, r.stopped])).toEqual([
      [1, true],
      [1, false],
    ]);
    expect(await work.runs[1]!.lease.stillHeld()).toBe(true);
    await lease.stop();
  });

  it('a store that refuses a write under it stops the work, which stands by', async () => {
    const store = scriptedLeases();
    const work = recordingWork();
    const { running, lines } = leased(store, work);
    const lease = await running;
    store.answer(undefined);
    work.runs[0]!.lease.fencedOff(new StaleLeaseError('TEST', 'read-model-v1', 1));
    await eventually(() => !lease.active && work.runs[0]!.stopped, 'the work to stop');
    expect(lines.map((l) => l.msg)).toContain('fenced off: a newer lease holder has written; standing by');
    await lease.stop();
    expect(store.released).toEqual([]);
  });

  it('a renewal that comes back under a new generation (it lapsed meanwhile) starts the work again under it', async () => {
    const store = scriptedLeases();
    const work = recordingWork();
    const lease = await leased(store, work).running;
    store.answer(3);
    await eventually(() => work.runs.length === 2, 'the work to start again');
    expect(work.runs.map((r) => [r.lease.generation, r.stopped])).toEqual([
      [1, true],
      [3, false],
    ]);
    await lease.stop();
    expect(store.released).toEqual(['me']);
  });

  it('a renewal that does not answer counts as unreachable: the work stops before the lease could lapse', async () => {
    const store = scriptedLeases();
    const work = recordingWork();
    const { running, lines } = leased(store, work);
    const lease = await running;
    store.answer('hang');
    await eventually(() => work.runs[0]!.stopped, 'the work to stop', 5_000);
    expect(lines.filter((l) => l.msg === 'cannot reach the lease; retrying').length).toBeGreaterThan(0);
    expect(lines.map((l) => l.msg)).toContain('stopping: the lease could lapse before it is renewed');
    await lease.stop();
  });
});
