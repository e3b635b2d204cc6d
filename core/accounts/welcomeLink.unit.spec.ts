import { describe, expect, it } from 'vitest';
import type { Actor } from '../actor.js';
import { DeciderSpecification } from '../testing/decider.js';
import type { AccountCommand } from './account.js';
import { assertWelcomeLinkUsable, decideAccount, evolveAccount, initialAccountState } from './account.js';
import type { AccountEvent } from './events.js';

const spec = DeciderSpecification.for({
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
});

const manager: Actor = { kind: 'account', accountId: 'acc-mia', organizationId: 'org-acme', role: 'OFFICE_MANAGER' };
const SENT_AT = new Date('2025-03-01T09:00:00.000Z');
const EXPIRES_AT = new Date('2025-03-02T09:00:00.000Z'); // SENT_AT + 24 h, as the caller computes it
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    accountId: 'acc-ann',
    organizationId: 'org-acme',
    name: 'Ann Lee',
    extension: '101',
    loginName: '101@acme',
    email: 'ann@acme.com',
    role: 'USER',
    openedBy: 'acc-mia',
  },
};
const secondEmail: AccountEvent = { type: 'SecondaryEmailAdded', data: { email: 'ann@home.example', by: 'acc-mia' } };
const welcomeSent = (inviteId: string, expiresAt = EXPIRES_AT): AccountEvent => ({
  type: 'WelcomeEmailSent',
  data: { inviteId, expiresAt: expiresAt.toISOString(), recipients: ['ann@acme.com'], sentBy: 'acc-mia' },
});
const setupCompleted = (inviteId: string): AccountEvent => ({
  type: 'SetupCompleted',
  data: { inviteId, passwordHash: 'argon2:pw', pinHash: 'argon2:pin' },
});

const sendWelcome = (data: { inviteId: string; expiresAt?: Date; bulkId?: string }): AccountCommand => ({
  type: 'SendWelcomeEmail',
  actor: manager,
  now: SENT_AT,
  data: { expiresAt: EXPIRES_AT, ...data },
});
const completeSetup = (inviteId: string, now: Date): AccountCommand => ({
  type: 'CompleteSetup',
  now,
  data: { inviteId, passwordHash: 'argon2:pw', pinHash: 'argon2:pin' },
});

describe('given a pending account with a designated email only', () => {
  it("sends the welcome email to the designated email, expiring at the command's expiresAt", () => {
    spec
      .given([opened])
      .when(sendWelcome({ inviteId: 'inv-1' }))
      .then([
        {
          type: 'WelcomeEmailSent',
          data: {
            inviteId: 'inv-1',
            expiresAt: '2025-03-02T09:00:00.000Z',
            recipients: ['ann@acme.com'],
            sentBy: 'acc-mia',
          },
        },
      ]);
  });

  it('records the bulk send it belongs to, when there is one', () => {
    spec
      .given([opened])
      .when(sendWelcome({ inviteId: 'inv-1', bulkId: 'bulk-7' }))
      .then([
        {
          type: 'WelcomeEmailSent',
          data: {
            inviteId: 'inv-1',
            expiresAt: '2025-03-02T09:00:00.000Z',
            recipients: ['ann@acme.com'],
            sentBy: 'acc-mia',
            bulkId: 'bulk-7',
          },
        },
      ]);
  });

  it('answers LINK_INVALID to a setup attempt before any welcome email was sent', () => {
    spec.given([opened]).when(completeSetup('inv-1', SENT_AT)).thenThrows('LINK_INVALID');
  });
});

describe('given a pending account with a second email', () => {
  it('sends the welcome email to the designated and the second email', () => {
    spec
      .given([opened, secondEmail])
      .when(sendWelcome({ inviteId: 'inv-1' }))
      .then([
        {
          type: 'WelcomeEmailSent',
          data: {
            inviteId: 'inv-1',
            expiresAt: '2025-03-02T09:00:00.000Z',
            recipients: ['ann@acme.com', 'ann@home.example'],
            sentBy: 'acc-mia',
          },
        },
      ]);
  });
});

describe('given a welcome email sent', () => {
  const given = spec.given([opened, welcomeSent('inv-1')]);

  it('completes setup with the link 1 ms before it expires', () => {
    given.when(completeSetup('inv-1', at(EXPIRES_AT, -1))).then([setupCompleted('inv-1')]);
  });

  it('answers LINK_EXPIRED at the moment of expiry and after it', () => {
    given.when(completeSetup('inv-1', EXPIRES_AT)).thenThrows('LINK_EXPIRED');
    given.when(completeSetup('inv-1', at(EXPIRES_AT, 60_000))).thenThrows('LINK_EXPIRED');
  });

  it('answers LINK_INVALID to an inviteId it never sent', () => {
    given.when(completeSetup('inv-unknown', SENT_AT)).thenThrows('LINK_INVALID');
  });

  it('hands back the open account from assertWelcomeLinkUsable for a usable link', () => {
    const state = [opened, welcomeSent('inv-1')].reduce(evolveAccount, initialAccountState());
    expect(assertWelcomeLinkUsable(state, 'inv-1', SENT_AT)).toMatchObject({ id: 'acc-ann', status: 'pending' });
  });
});

describe('given a second welcome email sent after the first', () => {
  const given = spec.given([opened, welcomeSent('inv-1'), welcomeSent('inv-2', at(EXPIRES_AT, 3_600_000))]);

  it('answers LINK_INVALID to the first, superseded link, though it has not expired', () => {
    given.when(completeSetup('inv-1', SENT_AT)).thenThrows('LINK_INVALID');
  });

  it('completes setup with the newest link, on its own expiry', () => {
    given.when(completeSetup('inv-2', at(EXPIRES_AT, 1_000))).then([setupCompleted('inv-2')]);
  });
});

describe('given setup completed with the newest of two links', () => {
  const given = spec.given([opened, welcomeSent('inv-1'), welcomeSent('inv-2'), setupCompleted('inv-2')]);

  it('answers LINK_USED to the link that completed setup', () => {
    given.when(completeSetup('inv-2', SENT_AT)).thenThrows('LINK_USED');
  });

  it('answers LINK_INVALID to the older, superseded link', () => {
    given.when(completeSetup('inv-1', SENT_AT)).thenThrows('LINK_INVALID');
  });

  it('answers CONFLICT to sending another welcome email', () => {
    given.when(sendWelcome({ inviteId: 'inv-3' })).thenThrows('CONFLICT');
  });
});

describe('given no account', () => {
  it('answers LINK_INVALID to a setup attempt and NOT_FOUND to a welcome email', () => {
    spec.given([]).when(completeSetup('inv-1', SENT_AT)).thenThrows('LINK_INVALID');
    spec
      .given([])
      .when(sendWelcome({ inviteId: 'inv-1' }))
      .thenThrows('NOT_FOUND');
  });
});
