import { randomUUID } from 'node:crypto';
import type { Actor } from './actor.js';
import { actorId } from './actor.js';
import type { SecretHasher } from './crypto/secrets.js';
import type { EventMetadata, EventStore } from './eventStore/eventStore.js';

export interface LinkSettings {
  secret: Buffer;
  welcomeTtlMs: number;
  resetTtlMs: number;
  /** default 3 h */
  pinResetTtlMs?: number;
}

/** What the command side needs, passed down from the composition root. */
export interface CoreDeps {
  store: EventStore;
  hasher: SecretHasher;
  clock: () => Date;
  links: LinkSettings;
  newId?: () => string;
}

/** Per request: who asks, and the ids that tie their events together. */
export interface RequestContext {
  actor: Actor;
  requestId?: string;
  correlationId?: string;
}

export const newId = (deps: CoreDeps) => (deps.newId ?? randomUUID)();

export function metadataFor(
  deps: CoreDeps,
  ctx: RequestContext,
  organizationId: string | undefined,
  now = deps.clock(),
): EventMetadata {
  return {
    occurredAt: now.toISOString(),
    actor: actorId(ctx.actor),
    correlationId: ctx.correlationId ?? ctx.requestId ?? randomUUID(),
    ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
    ...(organizationId ? { organizationId } : {}),
  };
}
