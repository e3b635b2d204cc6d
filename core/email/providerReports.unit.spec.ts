import { describe, expect, it } from 'vitest';
import { reportEventId, toReportEvent, type ProviderReport } from './providerReports.js';

// Whether a report is recorded is the account decider's to say: see core/accounts/emailOutcomes.unit.spec.ts.

const hardBounce: ProviderReport = {
  type: 'bounced',
  id: 'postmark:Bounce:pm-1:ben@acme.example',
  accountId: 'acc-ben',
  refId: 'inv-1',
  kind: 'welcome',
  providerMessageId: 'pm-1',
  recipient: 'ben@acme.example',
  at: '2026-11-26T09:01:00.000Z',
  bounceType: 'HardBounce',
  typeCode: 1,
  permanent: true,
  reason: 'mailbox does not exist',
  details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
};

describe('a provider report', () => {
  it('becomes EmailBounced for a bounce, with the type, code, reason and time the provider gave', () => {
    expect(toReportEvent(hardBounce)).toEqual({
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
        details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
        bouncedAt: '2026-11-26T09:01:00.000Z',
      },
    });
  });

  it('becomes EmailDelivered with deliveredAt for a delivery, EmailComplained for a spam complaint', () => {
    const delivered = { ...hardBounce, type: 'delivered' as const, id: 'postmark:Delivery:pm-1:ben@acme.example' };
    const complained = {
      ...hardBounce,
      type: 'complained' as const,
      id: 'postmark:SpamComplaint:pm-1:ben@acme.example',
    };
    expect(toReportEvent(delivered)).toEqual({
      type: 'EmailDelivered',
      data: {
        kind: 'welcome',
        refId: 'inv-1',
        to: ['ben@acme.example'],
        providerMessageId: 'pm-1',
        deliveredAt: hardBounce.at,
      },
    });
    expect(toReportEvent(complained)).toMatchObject({
      type: 'EmailComplained',
      data: { refId: 'inv-1', complainedAt: hardBounce.at },
    });
  });

  it('has an event id derived from the provider id: the same report again appends the same id', () => {
    expect(reportEventId(hardBounce)).toBe(reportEventId({ ...hardBounce }));
    expect(reportEventId(hardBounce)).not.toBe(
      reportEventId({ ...hardBounce, id: 'postmark:Delivery:pm-1:ben@acme.example' }),
    );
  });
});
