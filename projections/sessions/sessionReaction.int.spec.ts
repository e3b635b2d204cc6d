import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountStream } from '../../core/accounts/events.js';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import type { ReadModel, SessionRecord } from '../readModel.js';
import { createSqliteReadModel } from '../sqlite/sqliteReadModel.js';
import { eventLog, type EventLog } from '../testing/events.js';
import { endSessionsAfterCredentialChanges } from './sessionReaction.js';

const HOUR = 3_600_000;

describe('given Ben has sessions, then his credentials change', () => {
  let readModel: ReadModel;
  let log: EventLog;
  let ben: string;
  let org: string;

  /** a session opened now, at the account's credential version 0 */
  const opened = async (): Promise<SessionRecord> => {
    const now = log.now();
    const session: SessionRecord = {
      tokenHash: randomUUID(),
      id: randomUUID(),
      accountId: ben,
      organizationId: org,
      role: 'USER',
      credentialVersion: 0,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + HOUR).toISOString(),
      userAgent: 'Firefox on Linux',
      lastSeenAt: now.toISOString(),
    };
    await readModel.sessions.create(session);
    log.advance(1_000);
    return session;
  };
  /** applies the batch, then reacts to it: what the projector does */
  const project = async (events = log.batch()) => {
    await readModel.apply(events);
    await endSessionsAfterCredentialChanges(readModel, events);
    return events;
  };
  const live = async (session: SessionRecord) => readModel.sessions.get(session.tokenHash, log.now());
  const changePassword = (data: { via: 'self' | 'reset'; keptSessionId?: string }) =>
    log.record(accountStream(ben), 'PasswordChanged', {
      changeId: randomUUID(),
      passwordHash: 'h',
      recipients: [],
      ...data,
    });

  beforeEach(async () => {
    readModel = createSqliteReadModel({ path: ':memory:' });
    log = eventLog();
    org = log.organizationRegistered().data.organizationId;
    ben = log.accountOpened(org, { name: 'Ben Okafor', extension: '101' }).data.accountId;
    await project();
  });
  afterEach(async () => readModel.close());

  it('a reset ends every earlier session; a replay of the batch leaves the session opened after it', async () => {
    const before = await opened();
    const events = [changePassword({ via: 'reset' })];
    log.batch();
    const after = await opened();
    await project(events);
    expect(await live(before)).toBeUndefined();
    await project(events);
    expect(await live(after)).toEqual(after);
  });

  it('a change from a session keeps that one at the new credential version, the same after a replay', async () => {
    const kept = await opened();
    const other = await opened();
    const events = await project([changePassword({ via: 'self', keptSessionId: kept.id })]);
    const version = (await readModel.users.get(org, ben))!.credentialVersion!;
    expect(version).toBeGreaterThan(0);
    expect(await live(other)).toBeUndefined();
    expect(await live(kept)).toEqual({ ...kept, credentialVersion: version });
    await project(events);
    expect(await live(kept)).toEqual({ ...kept, credentialVersion: version });
  });

  it('a later ending event of the same batch still ends the kept session', async () => {
    const kept = await opened();
    const events: RecordedEvent[] = [changePassword({ via: 'self', keptSessionId: kept.id })];
    events.push(log.record(accountStream(ben), 'SignedOutEverywhere', { by: ben }));
    log.batch();
    await endSessionsAfterCredentialChanges(readModel, events);
    expect(await live(kept)).toBeUndefined();
  });

  it('a kept session id on a reset keeps nothing', async () => {
    const session = await opened();
    await project([changePassword({ via: 'reset', keptSessionId: session.id })]);
    expect(await live(session)).toBeUndefined();
  });

  for (const type of ['AccountDeactivated', 'SignedOutEverywhere', 'AccountErased'] as const) {
    it(`${type} ends every earlier session, twice over without harm`, async () => {
      const before = await opened();
      const events = [log.record(accountStream(ben), type, { by: 'system' })];
      log.batch();
      const after = await opened();
      // the reaction alone: it reads nothing from the view for these
      await endSessionsAfterCredentialChanges(readModel, events);
      await endSessionsAfterCredentialChanges(readModel, events);
      expect(await live(before)).toBeUndefined();
      expect(await live(after)).toEqual(after);
    });
  }

  it('leaves other accounts and other events alone', async () => {
    const session = await opened();
    const ann = log.accountOpened(org, { name: 'Ann Lee', extension: '102' }).data.accountId;
    const events = [log.record(accountStream(ann), 'SignedOutEverywhere', { by: ann }), log.resetRequested(ben)];
    log.batch();
    await endSessionsAfterCredentialChanges(readModel, events);
    expect(await live(session)).toEqual(session);
  });
});
