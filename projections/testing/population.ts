import type { EventStore, StreamAppend } from '../../core/eventStore/eventStore.js';
import { eventLog } from './events.js';

export interface Population {
  organizations: string[];
  /** after the last event */
  now: Date;
  events: number;
}

/**
 * Appends a few thousand events in a realistic mix — accounts opened, welcomed (some in bulk),
 * delivered or failed, set up, reset, second emails added and removed — across three organizations.
 * Consecutive events of one stream go in one append, so the store keeps the global order.
 */
export async function appendPopulation(store: EventStore, accountsPerOrganization: number): Promise<Population> {
  const log = eventLog();
  const organizations = ['acme', 'globex', 'initech'].map((domain) => log.organizationRegistered({ name: domain, domain }).data.organizationId);
  organizations.forEach((organizationId, o) => {
    const manager = log.accountOpened(organizationId, { name: `Manager ${o}`, extension: '100', role: 'OFFICE_MANAGER', domain: `d${o}` }).data.accountId;
    for (let i = 0; i < accountsPerOrganization; i++) {
      const id = log.accountOpened(organizationId, { name: `User ${(i * 37) % 1000} ${i}`, extension: String(1000 + i), domain: `d${o}` }, manager).data.accountId;
      if (i % 5 === 4) continue;
      const welcome = log.welcomeEmailSent(id, { by: manager, ...(i % 3 === 0 ? { bulkId: `bulk-${o}` } : {}) });
      if (i % 7 === 0) log.emailDeliveryFailed(welcome, 'mailbox does not exist');
      else log.emailDelivered(welcome);
      if (i % 4 === 0) log.secondaryEmailAdded(id, `second-${i}@example.test`, manager);
      if (i % 2 === 0) log.setupCompleted(welcome);
      if (i % 8 === 0) log.passwordChanged(log.resetRequested(id));
      if (i % 16 === 0) log.secondaryEmailRemoved(id, manager);
    }
  });
  const appends: StreamAppend[] = [];
  for (const { streamName, id, type, data, metadata } of log.all()) {
    const last = appends[appends.length - 1];
    const event = { id, type, data, metadata };
    if (last?.streamName === streamName) last.events.push(event);
    else appends.push({ streamName, events: [event], expectedRevision: 'any' });
  }
  for (let i = 0; i < appends.length; i += 1000) {
    const outcomes = await store.appendBatch(appends.slice(i, i + 1000));
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) throw failed.error;
  }
  return { organizations, now: log.now(), events: log.all().length };
}
