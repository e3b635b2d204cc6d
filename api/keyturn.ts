import type { ApolloServer } from '@apollo/server';
import type { EventStore } from '../core/eventStore/eventStore.js';
import type { CheckpointStore } from '../core/eventStore/checkpoints.js';
import type { EmailSender } from '../core/email/emailSender.js';
import { createArgon2Hasher, type SecretHasher } from '../core/crypto/secrets.js';
import type { Logger } from '../core/logger.js';
import type { DataKeys } from '../core/personalData/dataKeys.js';
import { checkpointWaiter } from '../projections/checkpointWaiter.js';
import type { ReadModel } from '../projections/readModel.js';
import { actorOfToken } from './auth/sessions.js';
import { createBackgroundTasks } from './background.js';
import type { GraphQLContext } from './graphql/context.js';
import { keyturnSchema } from './graphql/schema.js';
import { createGraphQLServer } from './graphql/server.js';
import { createRateLimits, type LimiterFactory, type RateLimitSettings } from './rateLimits.js';
import type { AppServices } from './services.js';
import { createMetrics, type Metrics } from './operations/metrics.js';
import { startWorker } from './worker.js';
import { randomUUID } from 'node:crypto';
import { leaseHolderId } from '../projections/lease.js';

export interface KeyturnParts {
  store: EventStore;
  readModel: ReadModel;
  checkpoints: CheckpointStore;
  sender: EmailSender;
  log: Logger;
  secret: Buffer;
  /**
   * the data key store the event store seals personal data with (see `withPersonalData`); the
   * erasure reaction deletes keys from it
   */
  dataKeys: DataKeys;
  /** the outbox sender's directory, whose emails an erasure deletes; absent with Postmark */
  outboxDir?: string;
  /** empties the WAL of the embedded read model file after an erasure; absent on MongoDB */
  truncateJournals?: () => Promise<string[]>;
  publicUrl: string;
  welcomeLinkTtlMs?: number;
  resetLinkTtlMs?: number;
  pinResetLinkTtlMs?: number;
  /** INVITE_REMINDER_BEFORE (main.ts: default 4 h); absent or 0: no reminders */
  inviteReminderBeforeMs?: number;
  reminderSweepMs?: number;
  sessionTtlMs?: number;
  rateLimits?: Partial<RateLimitSettings>;
  /** where rate-limit counters live; in-process memory when absent (one process) */
  limiters?: LimiterFactory;
  maxBulk?: number;
  /** IMPORT_MAX_ROWS: rows one spreadsheet import may hold */
  importMaxRows?: number;
  clock?: () => Date;
  hasher?: SecretHasher;
  introspection?: boolean;
  /** run the email reactor in this process (default true) */
  reactor?: boolean;
  /**
   * run the projector and the email reactor in this process, while it holds the projector lease
   * (default true); false: a stateless API whose mutations wait for a projector process by polling
   * the read model's checkpoint
   */
  background?: boolean;
  /** who holds the projector lease; default unique to this process */
  leaseHolder?: string;
  leaseTtlMs?: number;
  /** Prometheus metrics of this process; a fresh registry when absent */
  metrics?: Metrics;
}

export interface Keyturn {
  services: AppServices;
  graphql: ApolloServer<GraphQLContext>;
  /** the context a request with this bearer token gets (HTTP layer and GraphQL specs) */
  contextFor(token?: string, requestId?: string, clientAddress?: string, userAgent?: string): Promise<GraphQLContext>;
  metrics: Metrics;
  stop(): Promise<void>;
}

/** Wires the parts together and, unless `background` is false, starts the projector and the email reactor. */
export async function startKeyturn(parts: KeyturnParts): Promise<Keyturn> {
  const clock = parts.clock ?? (() => new Date());
  const limits = createRateLimits(parts.rateLimits, parts.limiters);
  const metrics = parts.metrics ?? createMetrics({ log: parts.log });
  metrics.watchLag(parts.store, [
    { name: 'read-model', checkpoint: () => parts.readModel.checkpoint() },
    { name: 'email-reactor', checkpoint: () => parts.checkpoints.load('email-reactor') },
  ]);
  const projector =
    parts.background === false
      ? checkpointWaiter(parts.store, parts.readModel)
      : await startWorker({
          ...parts,
          clock,
          leaseHolder: parts.leaseHolder ?? leaseHolderId('keyturn'),
          onOutcomes: (counts) => metrics.emailOutcomes(counts),
        });
  const background = createBackgroundTasks(parts.log);
  const services: AppServices = {
    core: {
      store: parts.store,
      hasher: parts.hasher ?? createArgon2Hasher(),
      clock,
      links: {
        secret: parts.secret,
        welcomeTtlMs: parts.welcomeLinkTtlMs ?? 24 * 3_600_000,
        resetTtlMs: parts.resetLinkTtlMs ?? 3 * 3_600_000,
        pinResetTtlMs: parts.pinResetLinkTtlMs ?? 3 * 3_600_000,
      },
      ownersOfEmail: (email) => parts.readModel.users.ownersOfEmail(email, clock()),
      officeManagersOf: (organizationId) => parts.readModel.users.idsWithRole(organizationId, 'OFFICE_MANAGER'),
      allowEmail: (kind, address) => limits.allowEmail(kind, address),
    },
    readModel: parts.readModel,
    projector,
    limits,
    background,
    log: parts.log,
    sessionTtlMs: parts.sessionTtlMs ?? 12 * 3_600_000,
    maxBulk: parts.maxBulk ?? 10_000,
    importMaxRows: parts.importMaxRows ?? 10_000,
    // "expires soon" in the users list means: within the reminder window (4 h when reminders are off)
    expiresSoonMs: parts.inviteReminderBeforeMs || 4 * 3_600_000,
  };
  const graphql = createGraphQLServer(await keyturnSchema(), parts.log, {
    introspection: parts.introspection ?? true,
    plugins: [metrics.graphqlPlugin],
  });
  await graphql.start();
  return {
    services,
    graphql,
    metrics,
    async contextFor(token, requestId = randomUUID(), clientAddress = 'unknown', userAgent) {
      const { actor, tokenHash, sessionId } = await actorOfToken(services, token);
      return { actor, sessionTokenHash: tokenHash, sessionId, requestId, clientAddress, userAgent, services };
    },
    async stop() {
      await graphql.stop();
      await background.idle();
      await projector.stop();
    },
  };
}
