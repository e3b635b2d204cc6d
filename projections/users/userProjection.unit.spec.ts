import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import type { UserView } from '../readModel.js';
import { eventLog } from '../testing/events.js';
import { evolveUser } from './userProjection.js';

const project = (events: RecordedEvent[], from: UserView | null = null) => events.reduce(evolveUser, from);

describe('evolveUser', () => {
  describe('given no document', () => {
    it('AccountOpened creates the user at the event revision', () => {
      const log = eventLog();
      const opened = log.accountOpened('org-1', { name: 'Alice Martin', extension: '101', email: 'alice@acme.test' });
      expect(evolveUser(null, opened)).toEqual({
        id: opened.data.accountId,
        organizationId: 'org-1',
        name: 'Alice Martin',
        extension: '101',
        loginName: '101@acme',
        email: 'alice@acme.test',
        role: 'USER',
        revision: 0,
      });
    });
    it('any other event has nothing to attach to', () => {
      const log = eventLog();
      const opened = log.accountOpened('org-1', { name: 'Alice', extension: '101' });
      log.batch();
      const welcome = log.welcomeEmailSent(opened.data.accountId);
      expect(evolveUser(null, welcome)).toBeNull();
    });
  });

  describe('given an invited user', () => {
    const log = eventLog();
    const opened = log.accountOpened('org-1', { name: 'Alice', extension: '101', email: 'alice@acme.test' });
    const id = opened.data.accountId;
    const welcome = log.welcomeEmailSent(id, { bulkId: 'bulk-1' });
    const invited = project([opened, welcome])!;

    it('records the welcome email as pending, with its link expiry', () => {
      expect(invited).toMatchObject({
        revision: 1,
        welcomeEmailSentAt: welcome.metadata.occurredAt,
        setupLinkExpiresAt: welcome.data.expiresAt,
        lastEmail: {
          kind: 'welcome',
          refId: welcome.data.inviteId,
          status: 'PENDING',
          to: ['alice@acme.test'],
          at: welcome.metadata.occurredAt,
          bulkId: 'bulk-1',
        },
      });
    });

    it('a redelivered event (revision at or below the document) changes nothing', () => {
      expect(evolveUser(invited, welcome)).toBe(invited);
      expect(evolveUser(invited, opened)).toBe(invited);
    });

    it('an event of a reservation stream or of an unknown type passes by', () => {
      const reservation = log.record('extension-org-1-101', 'ExtensionReserved', { accountId: id });
      const unknown = log.record(`account-${id}`, 'EmailOpened', { refId: welcome.data.inviteId });
      expect(evolveUser(invited, reservation)).toBe(invited);
      expect(evolveUser(invited, unknown)).toBe(invited);
    });

    it('completing setup makes the user active and drops the link expiry', () => {
      const fresh = eventLog();
      const o = fresh.accountOpened('org-1', { name: 'Bo', extension: '102' });
      const w = fresh.welcomeEmailSent(o.data.accountId);
      const done = fresh.setupCompleted(w);
      const user = project([o, w, done])!;
      expect(user.setupCompletedAt).toBe(done.metadata.occurredAt);
      expect(user).not.toHaveProperty('setupLinkExpiresAt');
    });
  });

  describe('given a user with an email on its way', () => {
    it('a delivery for that email marks it delivered and clears an earlier error', () => {
      const log = eventLog();
      const opened = log.accountOpened('org-1', { name: 'Alice', extension: '101' });
      const welcome = log.welcomeEmailSent(opened.data.accountId, { bulkId: 'b' });
      const failed = log.emailDeliveryFailed(welcome, 'Mailbox full');
      const delivered = log.emailDelivered(welcome);
      expect(project([opened, welcome, failed])!.lastEmail).toMatchObject({ status: 'FAILED', error: 'Mailbox full' });
      const user = project([opened, welcome, failed, delivered])!;
      expect(user.lastEmail).toEqual({
        kind: 'welcome',
        refId: welcome.data.inviteId,
        status: 'DELIVERED',
        to: welcome.data.recipients,
        at: delivered.metadata.occurredAt,
        bulkId: 'b',
      });
      expect(user.revision).toBe(3);
    });

    it('an outcome for an older email does not overwrite the newer one, yet moves the revision', () => {
      const log = eventLog();
      const opened = log.accountOpened('org-1', { name: 'Alice', extension: '101' });
      const first = log.welcomeEmailSent(opened.data.accountId);
      const second = log.welcomeEmailSent(opened.data.accountId);
      const late = log.emailDeliveryFailed(first);
      const user = project([opened, first, second, late])!;
      expect(user.lastEmail).toMatchObject({ refId: second.data.inviteId, status: 'PENDING' });
      expect(user.lastEmail).not.toHaveProperty('error');
      expect(user.revision).toBe(3);
    });

    it('a login-name request that another account delivers leaves the last email alone', () => {
      const log = eventLog();
      const opened = log.accountOpened('org-1', { name: 'Alice', extension: '101' });
      const reset = log.resetRequested(opened.data.accountId);
      const silent = log.loginNameRequested(opened.data.accountId, { deliver: false });
      const user = project([opened, reset, silent])!;
      expect(user.lastEmail).toMatchObject({ kind: 'reset', refId: reset.data.resetId });
      expect(user.revision).toBe(2);
      const loud = log.loginNameRequested(opened.data.accountId, { to: 'a@x.test', deliver: true });
      expect(evolveUser(user, loud)!.lastEmail).toMatchObject({
        kind: 'login-name',
        refId: loud.data.requestId,
        status: 'PENDING',
        to: ['a@x.test'],
      });
    });
  });

  describe('given a user with a second email', () => {
    it('tracks designated and second email changes, and removal unsets the field', () => {
      const log = eventLog();
      const opened = log.accountOpened('org-1', { name: 'Alice', extension: '101' });
      const id = opened.data.accountId;
      const events = [
        opened,
        log.designatedEmailChanged(id, 'alice@new.test'),
        log.secondaryEmailAdded(id, 'alice@home.test'),
      ];
      const user = project(events)!;
      expect(user).toMatchObject({ email: 'alice@new.test', secondaryEmail: 'alice@home.test', revision: 2 });
      expect(evolveUser(user, log.secondaryEmailRemoved(id))).not.toHaveProperty('secondaryEmail');
    });
  });
});
