import { randomUUID } from 'node:crypto';
import { SYSTEM, actorId } from '../actor.js';
import { handleCommand } from '../commandHandler.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { Logger } from '../logger.js';
import { accountDecider } from './accountDecider.js';
import { accountStream } from './events.js';

export interface ReminderDeps {
  store: EventStore;
  clock: () => Date;
  /** INVITE_REMINDER_BEFORE: how long before a welcome link expires its reminder goes out */
  remindBeforeMs: number;
  /** accounts whose link is due (from the read model: candidates only, the decider judges) */
  due(now: Date, withinMs: number, limit: number): Promise<{ id: string; organizationId: string }[]>;
}

const SWEEP_LIMIT = 500;

/**
 * One pass over the links now due: each account decides for itself (one reminder per link, only while
 * it is worth one), so a pass that runs twice, late, or in two processes sends each reminder once.
 * Returns how many reminders were recorded.
 */
export async function sendDueReminders(deps: ReminderDeps): Promise<number> {
  let sent = 0;
  for (;;) {
    const now = deps.clock();
    const due = await deps.due(now, deps.remindBeforeMs, SWEEP_LIMIT);
    let recorded = 0;
    for (const account of due) {
      const command = {
        type: 'SendWelcomeReminder' as const,
        now,
        data: { reminderId: randomUUID(), remindBeforeMs: deps.remindBeforeMs },
      };
      const metadata = {
        occurredAt: now.toISOString(),
        actor: actorId(SYSTEM),
        correlationId: randomUUID(),
        organizationId: account.organizationId,
      };
      const { events } = await handleCommand(deps.store, accountStream(account.id), accountDecider, command, metadata);
      recorded += events.length;
    }
    sent += recorded;
    // A full page that recorded something may have more behind it; otherwise this pass is done (the
    // read model lags the reminders just recorded, and would hand the same page back).
    if (due.length < SWEEP_LIMIT || recorded === 0) return sent;
  }
}

export interface ReminderScheduler {
  stop(): Promise<void>;
}

/**
 * Sweeps at start (a reminder that fell due while the service was down goes out now, unless its link
 * expired meanwhile) and then every `intervalMs`. Runs only where the projector lease is held.
 */
export function startReminderScheduler(deps: ReminderDeps & { intervalMs: number; log: Logger }): ReminderScheduler {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const sweep = () => {
    running = running
      .then(async () => {
        if (stopped) return;
        const sent = await sendDueReminders(deps);
        if (sent > 0) deps.log.info({ sent }, 'welcome reminders recorded');
      })
      .catch((error: unknown) =>
        deps.log.error(
          { err: error instanceof Error ? error.message : String(error) },
          'reminder sweep failed; next sweep retries',
        ),
      );
  };
  sweep();
  const timer = setInterval(sweep, deps.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** Often enough that a reminder goes out close to its time; at most every 30 s. */
export const sweepIntervalFor = (remindBeforeMs: number) =>
  Math.min(30_000, Math.max(500, Math.floor(remindBeforeMs / 10)));
