import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../testing/decider.js';
import { decideAccount, evolveAccount, initialAccountState, type AccountCommand } from './account.js';
import { reportRefusal, type ProviderReportEvent } from './emailOutcomes.js';
import type { AccountEvent } from './events.js';

const spec = DeciderSpecification.for({
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
});

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    accountId: 'acc-ben',
    organizationId: 'org-acme',
    name: 'Ben Okafor',
    extension: '101',
    loginName: '101@acme',
    email: 'ben@acme.example',
    role: 'USER',
    openedBy: 'acc-mia',
  },
};
const welcomeSent: AccountEvent = {
  type: 'WelcomeEmailSent',
  data: {
    inviteId: 'inv-1',
    expiresAt: '2026-11-27T09:00:00.000Z',
    recipients: ['ben@acme.example'],
    sentBy: 'acc-mia',
  },
};

const delivered: AccountCommand = {
  type: 'RecordEmailOutcome',
  data: { delivered: true, kind: 'welcome', refId: 'inv-1', to: ['ben@acme.example'], providerMessageId: 'pm-1' },
};
const refused: AccountCommand = {
  type: 'RecordEmailOutcome',
  data: {
    delivered: false,
    kind: 'welcome',
    refId: 'inv-1',
    to: ['ben@acme.example'],
    errorCode: '406',
    reason: 'inactive recipient (hard bounce or spam complaint earlier)',
  },
};
const deliveredEvent: AccountEvent = {
  type: 'EmailDelivered',
  data: { kind: 'welcome', refId: 'inv-1', to: ['ben@acme.example'], providerMessageId: 'pm-1' },
};

const hardBounce: ProviderReportEvent = {
  type: 'EmailBounced',
  data: {
    kind: 'welcome',
    refId: 'inv-1',
    to: ['ben@acme.example'],
    providerMessageId: 'pm-1',
    type: 'HardBounce',
    typeCode: 1,
    permanent: true,
    reason: 'mailbox does not exist',
    bouncedAt: '2026-11-26T09:01:00.000Z',
  },
};
const deliveryReport: ProviderReportEvent = {
  type: 'EmailDelivered',
  data: {
    kind: 'welcome',
    refId: 'inv-1',
    to: ['ben@acme.example'],
    providerMessageId: 'pm-1',
    deliveredAt: '2026-11-26T09:00:30.000Z',
  },
};
const complaint: ProviderReportEvent = {
  type: 'EmailComplained',
  data: {
    kind: 'welcome',
    refId: 'inv-1',
    to: ['ben@acme.example'],
    providerMessageId: 'pm-1',
    complainedAt: '2026-11-26T10:00:00.000Z',
  },
};
const report = (event: ProviderReportEvent): AccountCommand => ({ type: 'RecordProviderReport', data: { event } });

describe('given an account whose welcome email is on its way', () => {
  const given = spec.given([opened, welcomeSent]);

  it('records the delivery the reactor reports, without the `delivered` flag', () => {
    given.when(delivered).then([deliveredEvent]);
  });

  it('records a refusal with its code and reason', () => {
    given.when(refused).then([
      {
        type: 'EmailDeliveryFailed',
        data: {
          kind: 'welcome',
          refId: 'inv-1',
          to: ['ben@acme.example'],
          errorCode: '406',
          reason: 'inactive recipient (hard bounce or spam complaint earlier)',
        },
      },
    ]);
  });

  it('records each kind of provider report', () => {
    given.when(report(hardBounce)).then([hardBounce]);
    given.when(report(deliveryReport)).then([deliveryReport]);
    given.when(report(complaint)).then([complaint]);
  });
});

describe('given an outcome already recorded for the email', () => {
  it('records no second outcome, whichever it would be (a redelivered batch, a second reactor)', () => {
    spec.given([opened, welcomeSent, deliveredEvent]).when(delivered).thenNothingHappened();
    spec.given([opened, welcomeSent, deliveredEvent]).when(refused).thenNothingHappened();
  });

  it('counts a provider report as the outcome: it proves the email went out', () => {
    spec.given([opened, welcomeSent, hardBounce]).when(delivered).thenNothingHappened();
  });

  it('still records provider reports on it', () => {
    spec.given([opened, welcomeSent, deliveredEvent]).when(report(hardBounce)).then([hardBounce]);
  });
});

describe('given a provider report already recorded', () => {
  const history = [opened, welcomeSent, deliveredEvent, hardBounce];

  it('refuses the same report sent again, even with other wording or case in the address', () => {
    spec.given(history).when(report(hardBounce)).thenNothingHappened();
    const again = { ...hardBounce, data: { ...hardBounce.data, to: ['Ben@Acme.example'], reason: 'other words' } };
    spec.given(history).when(report(again)).thenNothingHappened();
  });

  it('records another record type, or another message, on the same email', () => {
    spec.given(history).when(report(complaint)).then([complaint]);
    const other = { ...hardBounce, data: { ...hardBounce.data, providerMessageId: 'pm-2' } };
    spec.given(history).when(report(other)).then([other]);
  });
});

describe('given a report naming an email the account was never sent', () => {
  it('refuses another ref id, or the right ref id with another kind', () => {
    const given = spec.given([opened, welcomeSent]);
    given.when(report({ ...hardBounce, data: { ...hardBounce.data, refId: 'inv-forged' } })).thenNothingHappened();
    given.when(report({ ...hardBounce, data: { ...hardBounce.data, kind: 'reset' } })).thenNothingHappened();
  });

  it('refuses a login-name request that was not to be delivered from this account', () => {
    const undelivered: AccountEvent = {
      type: 'LoginNameRequested',
      data: { requestId: 'req-1', to: 'ben@acme.example', loginNames: ['101@acme'], deliver: false },
    };
    const bounce = { ...hardBounce, data: { ...hardBounce.data, kind: 'login-name' as const, refId: 'req-1' } };
    spec.given([opened, undelivered]).when(report(bounce)).thenNothingHappened();
  });
});

describe('given no account', () => {
  it('refuses to record an outcome', () => {
    spec.given([]).when(delivered).thenThrows('NOT_FOUND');
  });

  it('refuses a report, which records nothing', () => {
    spec.given([]).when(report(hardBounce)).thenNothingHappened();
  });
});

describe('why a report records nothing', () => {
  const state = (events: AccountEvent[]) => events.reduce(evolveAccount, initialAccountState());

  it('tells an unknown account, an unknown email and a duplicate apart (the webhook answers with it)', () => {
    expect(reportRefusal(state([]), hardBounce)).toBe('unknown-account');
    expect(reportRefusal(state([opened]), hardBounce)).toBe('unknown-email');
    expect(reportRefusal(state([opened, welcomeSent, hardBounce]), hardBounce)).toBe('duplicate');
    expect(reportRefusal(state([opened, welcomeSent]), hardBounce)).toBeUndefined();
  });

  it('keeps the ledger to keys, and leaves an account without emails without one', () => {
    expect(state([opened])).not.toHaveProperty('emails');
    expect(state([opened, welcomeSent, deliveredEvent, hardBounce])).toMatchObject({
      emails: {
        requested: ['welcome:inv-1'],
        outcomes: ['inv-1'],
        reports: ['EmailBounced:pm-1:ben@acme.example'],
      },
    });
  });
});
