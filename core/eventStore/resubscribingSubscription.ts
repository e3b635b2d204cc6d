import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { Position, RecordedEvent, Subscription, SubscriptionOptions } from './eventStore.js';

/** One live server-side subscription: an object-mode stream of raw items, and how to end it. */
export interface SubscriptionSource {
  stream: Readable;
  close(): Promise<void>;
}

export interface ResubscribingOptions<Raw> extends SubscriptionOptions {
  /** opens a subscription delivering everything strictly after `after` (from the start when absent) */
  open(after: Position | undefined, batchSize: number): SubscriptionSource;
  /** the event a raw item carries, or undefined for items to pass by (system events, links) */
  map(raw: Raw): RecordedEvent | undefined;
  comparePositions(a: Position, b: Position): number;
  log: Logger;
  /** delay before the first resubscription, doubled on each failure in a row up to `maxMs` */
  backoff?: { initialMs: number; maxMs: number };
}

/** Thrown inside the loop so that a handler failure and a dropped connection are told apart in the logs. */
class HandlerFailed extends Error {
  constructor(readonly original: unknown) {
    super('subscription handler failed');
  }
}

/**
 * A catch-up subscription that survives drops. Events are read off the stream in batches of what has
 * arrived (at most `batchSize`), and the next batch is only taken once the handler resolved. When the
 * connection drops or the handler fails, it subscribes again from the last handled position after an
 * exponential backoff — so delivery is at least once, and a failed batch is delivered again.
 * Anything at or before the last handled position is skipped, whether or not the server counts the
 * start position as inclusive.
 */
export function resubscribingSubscription<Raw>(options: ResubscribingOptions<Raw>): Subscription {
  const batchSize = options.batchSize ?? 500;
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 100, maxMs: 30_000 };
  let closed = false;
  let after = options.after;
  let failures = 0;
  let source: SubscriptionSource | undefined;
  let wake: (() => void) | undefined;
  const stopSleeping = new AbortController();

  const isNew = (event: RecordedEvent) => after === undefined || options.comparePositions(event.position, after) > 0;

  /** Handles batches until the source ends (resolves) or fails (rejects). */
  async function consume(current: SubscriptionSource): Promise<void> {
    let failed: unknown;
    let ended = false;
    const onWake = () => wake?.();
    current.stream.on('readable', onWake);
    const onEnd = () => {
      ended = true;
      onWake();
    };
    current.stream.on('error', (error) => {
      failed = error;
      onWake();
    });
    current.stream.on('end', onEnd);
    current.stream.on('close', onEnd);
    while (!closed) {
      const batch: RecordedEvent[] = [];
      let raw: unknown;
      while (batch.length < batchSize && (raw = current.stream.read()) !== null) {
        const event = options.map(raw as Raw);
        if (event && isNew(event)) batch.push(event);
      }
      if (batch.length > 0) {
        try {
          await options.onEvents(batch);
        } catch (error) {
          throw new HandlerFailed(error);
        }
        after = batch[batch.length - 1]!.position;
        failures = 0;
        continue;
      }
      if (failed !== undefined) throw failed;
      if (ended) return;
      // `read()` just answered null, so the stream emits 'readable' on the next push: no lost wake-up.
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }

  const loop = (async () => {
    while (!closed) {
      const current = options.open(after, batchSize);
      source = current;
      let problem: unknown;
      try {
        await consume(current);
        problem = closed ? undefined : new Error('the server ended the subscription');
      } catch (error) {
        problem = error;
      } finally {
        source = undefined;
        await current.close().catch(() => undefined);
      }
      if (closed || problem === undefined) break;
      failures += 1;
      const delayMs = Math.min(maxMs, initialMs * 2 ** (failures - 1));
      if (problem instanceof HandlerFailed) {
        options.onError?.(problem.original);
      } else {
        const err = problem instanceof Error ? problem.message : JSON.stringify(problem);
        options.log.warn(
          { err, after: after ?? 'start', attempt: failures, delayMs },
          'subscription dropped; resubscribing from the last handled position',
        );
        options.onError?.(problem);
      }
      await sleep(delayMs, undefined, { signal: stopSleeping.signal }).catch(() => undefined);
    }
  })();

  return {
    async close() {
      closed = true;
      wake?.();
      stopSleeping.abort();
      // The batch in flight (if any) finishes first; then the loop closes its source and ends.
      await loop;
      await source?.close().catch(() => undefined);
    },
  };
}
