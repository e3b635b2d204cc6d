import type { EventStore } from '../core/eventStore/eventStore.js';
import { fencedCheckpoints, type CheckpointStore } from '../core/eventStore/checkpoints.js';
import { fencedEventStore } from '../core/eventStore/fencing.js';
import { startEmailReactor, type EmailReactorDeps } from '../core/email/emailReactor.js';
import type { EmailSender } from '../core/email/emailSender.js';
import type { Logger } from '../core/logger.js';
import type { DataKeys } from '../core/personalData/dataKeys.js';
import { startReminderScheduler, sweepIntervalFor } from '../core/accounts/reminders.js';
import { checkpointWaiter } from '../projections/checkpointWaiter.js';
import { fencedReadModel } from '../projections/fencing.js';
import { runWhileLeased } from '../projections/lease.js';
import { startProjector, type Projector, type ProjectorOptions } from '../projections/projector.js';
import type { ReadModel } from '../projections/readModel.js';
import { PROJECTOR_LEASE } from '../projections/versioned.js';

export interface WorkerParts {
  store: EventStore;
  readModel: ReadModel;
  checkpoints: CheckpointStore;
  sender: EmailSender;
  log: Logger;
  secret: Buffer;
  publicUrl: string;
  clock?: () => Date;
  /** run the email reactor as well (default true) */
  reactor?: boolean;
  onOutcomes?: EmailReactorDeps['onOutcomes'];
  /** who holds the projector lease: unique per process (`leaseHolderId`) */
  leaseHolder: string;
  /** default 15 s: a crashed holder's lease lapses after this */
  leaseTtlMs?: number;
  projector?: ProjectorOptions;
  /** the data key store: the erasure reaction deletes an erased account's key */
  dataKeys: DataKeys;
  /** where the outbox sender writes emails (an erasure deletes the account's); absent with Postmark */
  outboxDir?: string;
  /** INVITE_REMINDER_BEFORE; 0 or absent: no reminders */
  inviteReminderBeforeMs?: number;
  /** how often the reminder scheduler looks for due links (default from `sweepIntervalFor`) */
  reminderSweepMs?: number;
  /** empties the WAL of the embedded read model file after an erasure; absent on MongoDB */
  truncateJournals?: () => Promise<string[]>;
}

export interface Worker extends Projector {
  /** false while another process holds the lease and this one stands by */
  readonly active: boolean;
}

export const DEFAULT_LEASE_TTL_MS = 15_000;
/** the email reactor's checkpoint name (its default) */
const REACTOR_CHECKPOINT = 'email-reactor';

/**
 * The projections and the email reactor, run only while this process holds the projector lease: a
 * second projector process stands by instead of applying the same events and sending the same
 * emails. `waitFor` follows the in-process projector, or the checkpoint while standing by.
 */
export async function startWorker(parts: WorkerParts): Promise<Worker> {
  let projector: Projector | undefined;
  const polling = checkpointWaiter(parts.store, parts.readModel);
  const lease = await runWhileLeased({
    leases: parts.readModel.leases,
    name: PROJECTOR_LEASE,
    holder: parts.leaseHolder,
    ttlMs: parts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    log: parts.log,
    async start(held) {
      // Everything this work writes carries the lease's generation (see `fencedReadModel`): claimed
      // before the checkpoints are read, so a late write of the previous holder lands before the
      // read or is refused, and a refusal stops this work (`held.fencedOff`).
      const readModel = fencedReadModel(parts.readModel, held.generation, held.fencedOff);
      const checkpoints = fencedCheckpoints(parts.checkpoints, held.generation, held.fencedOff);
      await readModel.claim(held.generation);
      await checkpoints.claim(REACTOR_CHECKPOINT, held.generation);
      // Appends are checked against the lease just before they are made (not atomically, see there).
      const store = fencedEventStore(parts.store, held.stillHeld);
      const erasure = {
        dataKeys: parts.dataKeys,
        outboxDir: parts.outboxDir,
        truncateJournals: parts.truncateJournals,
        log: parts.log,
      };
      const started = await startProjector(parts.store, readModel, parts.log, { ...parts.projector, erasure });
      const reactorDeps: EmailReactorDeps = {
        store,
        sender: parts.sender,
        checkpoints,
        linkSecret: parts.secret,
        publicUrl: parts.publicUrl,
        log: parts.log,
        clock: parts.clock,
        onOutcomes: parts.onOutcomes,
        name: REACTOR_CHECKPOINT,
        // asked before each provider call: an email is not sent by a holder that lost the lease
        stillLeading: held.stillHeld,
      };
      const reactor = parts.reactor === false ? undefined : await startEmailReactor(reactorDeps);
      const beforeMs = parts.inviteReminderBeforeMs ?? 0;
      const reminders =
        beforeMs > 0
          ? startReminderScheduler({
              store,
              clock: parts.clock ?? (() => new Date()),
              remindBeforeMs: beforeMs,
              due: (now, withinMs, limit) => parts.readModel.users.dueForReminder(now, withinMs, limit),
              intervalMs: parts.reminderSweepMs ?? sweepIntervalFor(beforeMs),
              log: parts.log,
            })
          : undefined;
      projector = started;
      // Each finishes its batch in flight, whose handler saves the checkpoint, before the lease goes.
      return async () => {
        projector = undefined;
        await reminders?.stop();
        await reactor?.stop();
        await started.stop();
      };
    },
  });
  return {
    get active() {
      return lease.active;
    },
    waitFor: (position, timeoutMs) => (projector ?? polling).waitFor(position, timeoutMs),
    stop: () => lease.stop(),
  };
}
