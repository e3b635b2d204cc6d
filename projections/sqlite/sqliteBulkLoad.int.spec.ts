import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountStream } from '../../core/accounts/events.js';
import type { EventStore, RecordedEvent, StreamAppend } from '../../core/eventStore/eventStore.js';
import { createSqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { silentLogger } from '../../core/logger.js';
import { domainReservationStream, extensionReservationStream } from '../../core/reservations.js';
import { catchUp } from '../projector.js';
import type { ReadModel } from '../readModel.js';
import { rebuildProjections } from '../rebuild.js';
import { eventLog } from '../testing/events.js';
import { allAuditEdges, allUsers } from '../testing/readOrganization.js';
import { createSqliteBulkLoad } from './sqliteBulkLoad.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

/**
 * A history in the mix a rebuild meets: reservation streams beside the accounts, bulk welcomes,
 * outcomes, set-ups, resets, second emails, deactivations, and erasures (with a provider's late
 * report after one, read as a replay reads it: "erased").
 */
function history(accounts: number) {
  const log = eventLog();
  const organizations: string[] = [];
  ['acme', 'globex', 'initech'].forEach((domain, o) => {
    const org = log.organizationRegistered({ name: domain, domain }).data.organizationId;
    organizations.push(org);
    log.record(domainReservationStream(domain), 'DomainReserved', { ownerId: org });
    const manager = log.accountOpened(org, { name: `Manager ${o}`, extension: '100', role: 'OFFICE_MANAGER', domain })
      .data.accountId;
    for (let i = 0; i < accounts; i++) {
      const extension = String(1000 + i);
      const name = `${['Ada', 'Ben', 'Chloe', 'Dev'][i % 4]} ${['Lovelace', 'Okafor', 'Martin'][i % 3]} ${i}`;
      const id = log.accountOpened(org, { name, extension, domain }, manager).data.accountId;
      log.record(extensionReservationStream(org, extension), 'ExtensionReserved', { ownerId: id });
      if (i % 5 === 4) continue;
      const welcome = log.welcomeEmailSent(id, { by: manager, ...(i % 3 === 0 ? { bulkId: `bulk-${o}` } : {}) });
      if (i % 7 === 0) log.emailDeliveryFailed(welcome, 'mailbox does not exist');
      else log.emailDelivered(welcome);
      if (i % 4 === 0) log.secondaryEmailAdded(id, `second-${i}@example.test`, manager);
      if (i % 2 === 0) log.setupCompleted(welcome);
      if (i % 8 === 0) log.passwordChanged(log.resetRequested(id));
      if (i % 16 === 0) log.secondaryEmailRemoved(id, manager);
      if (i % 11 === 0) log.record(accountStream(id), 'AccountDeactivated', { by: manager }, { actor: manager });
      if (i % 23 === 1) {
        log.designatedEmailChanged(manager, `manager-${i}@${domain}.example`, id);
        log.record(accountStream(id), 'AccountErased', { by: manager }, { actor: manager });
        const late = {
          kind: 'welcome',
          refId: welcome.data.inviteId,
          to: ['erased'],
          errorCode: '406',
          reason: 'erased',
        };
        log.record(accountStream(id), 'EmailDeliveryFailed', late);
      }
    }
  });
  return { events: log.all(), organizations, now: log.now() };
}

async function append(store: EventStore, events: RecordedEvent[]) {
  const appends: StreamAppend[] = [];
  for (const { streamName, id, type, data, metadata } of events) {
    const last = appends[appends.length - 1];
    if (last?.streamName === streamName) last.events.push({ id, type, data, metadata });
    else appends.push({ streamName, events: [{ id, type, data, metadata }], expectedRevision: 'any' });
  }
  for (const outcome of await store.appendBatch(appends)) if (!outcome.ok) throw outcome.error;
}

/** Everything a reader can ask of one organization, as plain data. */
async function snapshot(readModel: ReadModel, organizationId: string, now: Date) {
  // the same version on one adapter: the audit cursors are compared as well
  const users = await allUsers(readModel, organizationId, now);
  const audit = await allAuditEdges(readModel, organizationId);
  const searches = [];
  for (const search of ['ada', 'ben ok', 'c', 'artin 1', '10', '100@', 'erased user', 'zz'])
    searches.push(await readModel.users.search({ organizationId, search, first: 20, now }));
  return {
    users,
    audit,
    searches,
    counts: await readModel.users.statusCounts(organizationId, now),
    bulk: await readModel.users.bulkProgress(organizationId, 'bulk-1'),
    managers: await readModel.users.idsWithRole(organizationId, 'OFFICE_MANAGER'),
    owners: await readModel.users.ownersOfEmail('second-8@example.test', now),
    due: await readModel.users.dueForReminder(now, 7 * 24 * 3_600_000, 1000),
  };
}

/** The version's tables, indexes and triggers, named as version 1's. */
function schemaOf(path: string, version: number) {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare<[string], { type: string; name: string; sql: string | null }>(
      `SELECT type, name, sql FROM sqlite_schema WHERE name LIKE ? ORDER BY name`,
    )
    .all(`%_v${version}%`);
  db.close();
  return rows.map((r) => ({
    ...r,
    name: r.name.replaceAll(`_v${version}`, '_v1'),
    sql: r.sql?.replaceAll(`_v${version}`, '_v1'),
  }));
}

describe('given a history with reservations, bulk welcomes and erasures', () => {
  let dir: string;
  let store: EventStore;
  const opened: ReadModel[] = [];
  const open = (name: string) => {
    const readModel = createSqliteReadModel({ path: join(dir, name) });
    opened.push(readModel);
    return readModel;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyturn-bulk-'));
    store = createSqliteEventStore({ path: join(dir, 'events.db') });
  });
  afterEach(async () => {
    for (const readModel of opened.splice(0)) await readModel.close();
    await store.close();
  });

  it('a bulk-loaded rebuild reads exactly as the projector applying small batches', { timeout: 60_000 }, async () => {
    const { events, organizations, now } = history(120);
    await append(store, events);
    const live = open('live.db');
    await catchUp(store, live, 7);

    const rebuilt = open('rebuilt.db');
    const result = await rebuildProjections({
      store,
      readModel: rebuilt,
      log: silentLogger,
      holder: 'the-rebuild',
      bulkLoad: createSqliteBulkLoad({ path: join(dir, 'rebuilt.db'), checkpointEvery: 2 }),
      pageSize: 97,
    });
    expect(result).toMatchObject({ version: 2, switchedBy: 'rebuild', position: String(events.length) });
    for (const organizationId of organizations) {
      const expected = await snapshot(live, organizationId, now);
      expect(expected.audit.length).toBeGreaterThan(400);
      expect(await snapshot(rebuilt, organizationId, now)).toEqual(expected);
    }
    // Built at the end, yet the same indexes and search triggers as a version the projector made.
    expect(schemaOf(join(dir, 'rebuilt.db'), 2)).toEqual(schemaOf(join(dir, 'live.db'), 1));
  });

  it(
    'events appended after the bulk load reach the version through the projector path',
    { timeout: 60_000 },
    async () => {
      const first = history(20);
      await append(store, first.events);
      const readModel = open('read.db');
      await rebuildProjections({
        store,
        readModel,
        log: silentLogger,
        holder: 'rebuild-1',
        bulkLoad: createSqliteBulkLoad({ path: join(dir, 'read.db') }),
      });
      const later = history(5);
      await append(store, later.events);
      await catchUp(store, readModel);
      const live = open('live.db');
      await catchUp(store, live, 50);
      for (const organizationId of [...first.organizations, ...later.organizations])
        expect(await snapshot(readModel, organizationId, later.now)).toEqual(
          await snapshot(live, organizationId, later.now),
        );
    },
  );

  it('a second bulk rebuild drops the version before last and switches again', { timeout: 60_000 }, async () => {
    const { events, organizations, now } = history(30);
    await append(store, events);
    const readModel = open('read.db');
    const bulkLoad = createSqliteBulkLoad({ path: join(dir, 'read.db') });
    await rebuildProjections({ store, readModel, log: silentLogger, holder: 'rebuild-1', bulkLoad });
    const before = await snapshot(readModel, organizations[0]!, now);
    expect(
      await rebuildProjections({ store, readModel, log: silentLogger, holder: 'rebuild-2', bulkLoad }),
    ).toMatchObject({
      from: 2,
      version: 3,
    });
    expect(await (await readModel.versions.open(1)).checkpoint()).toBeUndefined();
    expect(await snapshot(readModel, organizations[0]!, now)).toEqual(before);
  });
});
