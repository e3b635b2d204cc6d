import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StandInLog, type ProposedEvent } from './esdbStandInLog.js';

// The stand-in's own rules, each as its comment in esdbStandInLog.ts cites it from KurrentDB.
const proposed = (): ProposedEvent => ({
  id: randomUUID(),
  type: 'T',
  contentType: 'application/json',
  data: new Uint8Array([123, 125]),
  customMetadata: new Uint8Array(),
});

describe('a stream written with two events expecting no stream', () => {
  const setup = () => {
    const log = new StandInLog({ recentEventIds: 2 });
    const events = [proposed(), proposed()];
    const first = log.append('s', 'no_stream', events);
    return { log, events, first };
  };

  it('numbers them from 0 and reports the last event at its own log position', () => {
    const { log, first } = setup();
    const stored = log.readStream('s', 'start', 'forwards', 10n)!;
    expect(stored.map((r) => r.revision)).toEqual([0n, 1n]);
    expect(first).toEqual({ result: 'success', lastRevision: 1n, position: stored[1]!.position });
  });

  it('treats the same ids at the same expected revision as already written (strong idempotency)', () => {
    const { log, events, first } = setup();
    expect(log.append('s', 'no_stream', events)).toEqual(first);
    expect(log.readStream('s', 'start', 'forwards', 10n)).toHaveLength(2);
  });

  it('refuses a retry holding only part of the ids (corrupted idempotency → wrong expected version)', () => {
    const { log, events } = setup();
    expect(log.append('s', 'no_stream', [events[0]!, proposed()])).toEqual({
      result: 'wrong_expected_version',
      current: 1n,
    });
  });

  it('finds ids expected with `any` only while the bounded cache still holds them', () => {
    const { log, events, first } = setup();
    expect(log.append('s', 'any', events)).toEqual(first);
    log.append('other', 'any', [proposed(), proposed()]);
    expect(log.append('s', 'any', events)).toMatchObject({ result: 'success', lastRevision: 3n });
  });

  it('reads `$all` from a position inclusively, and refuses every append once tombstoned', () => {
    const { log } = setup();
    const [a, b] = log.readStream('s', 'start', 'forwards', 10n)!;
    expect(log.readAll({ commit: b!.position, prepare: b!.position }, 'forwards')[0]!.id).toBe(b!.id);
    expect(log.readAll({ commit: b!.position, prepare: b!.position }, 'backwards').map((r) => r.id)).toContain(a!.id);
    log.tombstone('s', 'any', randomUUID());
    expect(log.append('s', 'any', [proposed()])).toEqual({ result: 'stream_deleted' });
  });
});
