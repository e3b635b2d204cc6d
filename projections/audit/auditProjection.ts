import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { accountEventTypes, accountIdOfStream, redactSecrets } from '../../core/accounts/events.js';
import type { OrganizationEvent } from '../../core/organizations/organization.js';
import type { AuditEntry, UserView } from '../readModel.js';

/**
 * Finds the current user view of an account id (subject or actor). Adapters answer it from the users
 * projection, which they apply to a batch before this one; an adapter whose lookups are remote can
 * fetch `auditLookupIds(batch)` once and answer from a map.
 */
export type UserLookup = (accountId: string) => Pick<UserView, 'organizationId' | 'name' | 'extension'> & { loginName?: string } | undefined;

const organizationPrefix = 'organization-';

const knownTypes = new Set<string>([...accountEventTypes, 'OrganizationRegistered' satisfies OrganizationEvent['type']]);

/** Every event of an account or organization stream is history; reservation streams are not. */
export const isAudited = (event: RecordedEvent) =>
  accountIdOfStream(event.streamName) !== undefined || event.streamName.startsWith(organizationPrefix);

/** The account ids `toAuditEntry` will ask the lookup for, for adapters that prefetch. */
export function auditLookupIds(events: RecordedEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events.filter(isAudited)) {
    const accountId = accountIdOfStream(event.streamName);
    if (accountId !== undefined) ids.add(accountId);
    ids.add(event.metadata.actor);
  }
  return [...ids];
}

const stringField = (data: unknown, key: string): string | undefined => {
  const value = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
};

function subjectOf(event: RecordedEvent, accountId: string, lookup: UserLookup) {
  // The opening event describes its own subject; the users projection may not show it to a lookup yet.
  if (event.type !== 'AccountOpened') return lookup(accountId);
  const [organizationId, name, extension, loginName] = ['organizationId', 'name', 'extension', 'loginName'].map((k) =>
    stringField(event.data, k),
  );
  return organizationId && name && extension ? { organizationId, name, extension, loginName } : lookup(accountId);
}

/**
 * Pure. The entry id is the event id, so storing an entry again (redelivery, replay) is a no-op.
 * Names are denormalised now so the history reads the same even after the account is gone.
 */
export function toAuditEntry(event: RecordedEvent, lookup: UserLookup): AuditEntry | null {
  if (!isAudited(event)) return null;
  const accountId = accountIdOfStream(event.streamName);
  const subject = accountId === undefined ? undefined : subjectOf(event, accountId, lookup);
  const organizationId =
    event.metadata.organizationId ??
    stringField(event.data, 'organizationId') ??
    subject?.organizationId ??
    (accountId === undefined ? event.streamName.slice(organizationPrefix.length) : undefined);
  // An entry without a tenant could only be shown to everyone or to no one: no one it is.
  if (!organizationId) return null;
  const actorName = lookup(event.metadata.actor)?.name;
  return {
    id: event.id,
    position: event.position,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    organizationId,
    ...(accountId !== undefined ? { accountId } : {}),
    ...(subject ? { accountName: subject.name, accountExtension: subject.extension } : {}),
    actorId: event.metadata.actor,
    ...(actorName !== undefined ? { actorName } : {}),
    data: auditData(event, subject?.loginName),
  };
}

/**
 * Secrets never reach the history. A login-name request lists every login name tied to the address,
 * possibly in other organizations: each organization's history keeps only its own.
 */
function auditData(event: RecordedEvent, subjectLoginName: string | undefined): Record<string, unknown> {
  // A type this version does not know (written by a newer one) may hold secrets under names the
  // redaction does not know either: its entry keeps type, time and actor, no data.
  if (!knownTypes.has(event.type)) return {};
  const data = redactSecrets(event.data);
  if (event.type !== 'LoginNameRequested' || !Array.isArray(data.loginNames)) return data;
  const domain = subjectLoginName?.slice(subjectLoginName.indexOf('@'));
  const own = (names: unknown) =>
    Array.isArray(names) ? names.filter((n) => typeof n === 'string' && domain !== undefined && n.endsWith(domain)) : undefined;
  const pending = own(data.pendingLoginNames);
  return { ...data, loginNames: own(data.loginNames), ...(pending ? { pendingLoginNames: pending } : {}) };
}
