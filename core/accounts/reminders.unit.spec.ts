import { describe, it } from 'vitest';
import type { AccountCommand } from './account.js';
import type { AccountEvent } from './events.js';
import { NOW, annDeactivated, annOpened as opened, annSetUp, annWelcomed, accountSpec as spec } from './testing/ann.js';

const HOUR = 3_600_000;

/** Ann's welcome link (annWelcomed) expires an hour after NOW; reminders go out 4 h before expiry. */
const remind = (at: Date): AccountCommand => ({
  type: 'SendWelcomeReminder',
  now: at,
  data: { reminderId: 'rem-1', remindBeforeMs: 4 * HOUR },
});
const linkExpiry = Date.parse((annWelcomed as Extract<AccountEvent, { type: 'WelcomeEmailSent' }>).data.expiresAt);
const reminded: AccountEvent = {
  type: 'WelcomeReminderSent',
  data: {
    reminderId: 'rem-1',
    inviteId: 'inv-1',
    expiresAt: new Date(linkExpiry).toISOString(),
    recipients: ['ann@acme.com'],
  },
};

describe('given Ann, invited, her link due for a reminder', () => {
  it('reminds her once, with the link it is about', () => {
    spec.given([opened, annWelcomed]).when(remind(NOW)).then([reminded]);
  });

  it('does not remind her twice for the same link', () => {
    spec.given([opened, annWelcomed, reminded]).when(remind(NOW)).thenNothingHappened();
  });

  it('reminds her again for a newer link', () => {
    const newer: AccountEvent = {
      type: 'WelcomeEmailSent',
      data: {
        inviteId: 'inv-2',
        expiresAt: new Date(linkExpiry + HOUR).toISOString(),
        recipients: ['ann@acme.com'],
        sentBy: 'acc-mia',
      },
    };
    spec
      .given([opened, annWelcomed, reminded, newer])
      .when(remind(NOW))
      .then([
        {
          type: 'WelcomeReminderSent',
          data: { ...reminded.data, inviteId: 'inv-2', expiresAt: new Date(linkExpiry + HOUR).toISOString() },
        },
      ]);
  });
});

describe('given a link that is not due, or not worth a reminder', () => {
  it('not yet due: more than INVITE_REMINDER_BEFORE left', () => {
    spec
      .given([opened, annWelcomed])
      .when(remind(new Date(linkExpiry - 4 * HOUR - 1)))
      .thenNothingHappened();
  });

  it('already expired', () => {
    spec
      .given([opened, annWelcomed])
      .when(remind(new Date(linkExpiry)))
      .thenNothingHappened();
  });

  it('setup completed', () => {
    spec.given([opened, annWelcomed, annSetUp]).when(remind(NOW)).thenNothingHappened();
  });

  it('account deactivated', () => {
    spec.given([opened, annWelcomed, annDeactivated]).when(remind(NOW)).thenNothingHappened();
  });

  it('no link at all', () => {
    spec.given([opened]).when(remind(NOW)).thenNothingHappened();
  });
});
