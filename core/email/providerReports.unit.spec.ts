import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../eventStore/eventStore.js';
import { decideProviderReport, reportEventId, type ProviderReport } from './providerReports.js';

let position = 0;
const recorded = (type: string, data: unknown, id = `evt-${position + 1}`): RecordedEvent => ({
  id,
  type,
  data,
  metadata: { occurredAt: '2026-11-26T09:00:00.000Z', actor: 'acc-mia', correlationId: `corr-${type}` },
  streamName: 'account-acc-ben',
  revision: BigInt(position),
  position: String(++position),
});

const opened = () =>
  recorded('AccountOpened', {
    accountId: 'acc-ben',
    organizationId: 'org-acme',
    name: 'Ben Okafor',
    extension: '101',
    loginName: '101@acme',
    email: 'ben@acme.example',
    role: 'USER',
    openedBy: 'acc-mia',
  });
const welcome = () =>
  recorded('WelcomeEmailSent', {
    inviteId: 'inv-1',
    expiresAt: '2026-11-27T09:00:00.000Z',
    recipients: ['ben@acme.example'],
    sentBy: 'acc-mia',
  });

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

describe('given an account that was sent a welcome email', () => {
  it('records a hard bounce as EmailBounced, correlated with the request that caused the email', () => {
    const stream = [opened(), welcome()];
    expect(decideProviderReport(hardBounce, stream)).toEqual({
      outcome: 'append',
      correlationId: 'corr-WelcomeEmailSent',
      organizationId: 'org-acme',
      event: {
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
      },
    });
  });

  it('records a delivery and a spam complaint', () => {
    const stream = [opened(), welcome()];
    const delivered = { ...hardBounce, type: 'delivered' as const, id: 'postmark:Delivery:pm-1:ben@acme.example' };
    const complained = {
      ...hardBounce,
      type: 'complained' as const,
      id: 'postmark:SpamComplaint:pm-1:ben@acme.example',
    };
    expect(decideProviderReport(delivered, stream)).toMatchObject({
      outcome: 'append',
      event: {
        type: 'EmailDelivered',
        data: { refId: 'inv-1', to: ['ben@acme.example'], providerMessageId: 'pm-1', deliveredAt: hardBounce.at },
      },
    });
    expect(decideProviderReport(complained, stream)).toMatchObject({
      outcome: 'append',
      event: { type: 'EmailComplained', data: { refId: 'inv-1', complainedAt: hardBounce.at } },
    });
  });

  it('answers duplicate for a report already recorded (same provider id, same event id)', () => {
    const stream = [opened(), welcome(), recorded('EmailBounced', {}, reportEventId(hardBounce))];
    expect(decideProviderReport(hardBounce, stream)).toEqual({ outcome: 'duplicate' });
    expect(reportEventId(hardBounce)).toBe(reportEventId({ ...hardBounce }));
    expect(reportEventId(hardBounce)).not.toBe(
      reportEventId({ ...hardBounce, id: 'postmark:Delivery:pm-1:ben@acme.example' }),
    );
  });

  it('ignores a report naming an email this account was never sent, or of another kind', () => {
    const stream = [opened(), welcome()];
    expect(decideProviderReport({ ...hardBounce, refId: 'inv-forged' }, stream)).toEqual({ outcome: 'unknown-email' });
    expect(decideProviderReport({ ...hardBounce, kind: 'reset' }, stream)).toEqual({ outcome: 'unknown-email' });
  });
});

describe('given no account', () => {
  it('answers unknown-account', () => {
    expect(decideProviderReport(hardBounce, [])).toEqual({ outcome: 'unknown-account' });
  });
});
