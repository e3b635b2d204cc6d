import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import type { UserView } from '../readModel.js';
import { eventLog, emailRequestOf } from '../testing/events.js';
import { evolveUser, userHandles } from './userProjection.js';

const fold = (events: RecordedEvent[], doc: UserView | null = null) => events.reduce(evolveUser, doc);

/** What the Postmark webhook records (see core/email/providerReports.ts). */
function reports(log: ReturnType<typeof eventLog>) {
  const base = (request: RecordedEvent, to: string) => ({
    ...emailRequestOf(request),
    to: [to],
    providerMessageId: 'pm-1',
  });
  return {
    bounced: (request: RecordedEvent, to: string, permanent = true) =>
      log.record(request.streamName, 'EmailBounced', {
        ...base(request, to),
        type: permanent ? 'HardBounce' : 'SoftBounce',
        typeCode: permanent ? 1 : 4096,
        permanent,
        reason: permanent ? 'mailbox does not exist' : 'mailbox temporarily unavailable (e.g. full)',
        bouncedAt: log.now().toISOString(),
      }),
    delivered: (request: RecordedEvent, to: string) =>
      log.record(request.streamName, 'EmailDelivered', { ...base(request, to), deliveredAt: log.now().toISOString() }),
    complained: (request: RecordedEvent, to: string) =>
      log.record(request.streamName, 'EmailComplained', {
        ...base(request, to),
        complainedAt: log.now().toISOString(),
      }),
  };
}

function invitedUser() {
  const log = eventLog();
  const org = log.organizationRegistered();
  const ben = log.accountOpened(org.data.organizationId, {
    name: 'Ben Okafor',
    extension: '101',
    email: 'ben@acme.example',
  });
  const welcome = log.welcomeEmailSent(ben.data.accountId);
  return { log, welcome, accountId: ben.data.accountId, report: reports(log) };
}

describe('given a user whose welcome email the provider accepted', () => {
  it('a hard bounce shows the email as FAILED with a readable reason naming the address', () => {
    const { log, welcome, report } = invitedUser();
    log.emailDelivered(welcome);
    report.bounced(welcome, 'ben@acme.example');
    const user = fold(log.all());
    expect(user?.lastEmail).toMatchObject({
      status: 'FAILED',
      error: 'mailbox does not exist (ben@acme.example)',
      refId: welcome.data.inviteId,
    });
  });

  it('a soft bounce or a spam complaint leaves it DELIVERED', () => {
    const { log, welcome, report } = invitedUser();
    log.emailDelivered(welcome);
    report.bounced(welcome, 'ben@acme.example', false);
    report.complained(welcome, 'ben@acme.example');
    expect(fold(log.all())?.lastEmail?.status).toBe('DELIVERED');
  });

  it("a later Delivery webhook (the second recipient's) does not hide the bounce", () => {
    const { log, welcome, report } = invitedUser();
    log.emailDelivered(welcome);
    report.bounced(welcome, 'ben@acme.example');
    report.delivered(welcome, 'ben@home.example');
    expect(fold(log.all())?.lastEmail).toMatchObject({
      status: 'FAILED',
      error: 'mailbox does not exist (ben@acme.example)',
    });
  });

  it('a bounce of an older email leaves the newer one alone', () => {
    const { log, welcome, accountId, report } = invitedUser();
    const newer = log.welcomeEmailSent(accountId);
    report.bounced(welcome, 'ben@acme.example');
    expect(fold(log.all())?.lastEmail).toMatchObject({ status: 'PENDING', refId: newer.data.inviteId });
  });

  it('is replay-safe: applying the same events twice gives the same document', () => {
    const { log, welcome, report } = invitedUser();
    report.bounced(welcome, 'ben@acme.example');
    const once = fold(log.all());
    expect(fold(log.all(), once)).toBe(once);
  });
});

describe('the users projection', () => {
  it('handles the provider reports', () => {
    expect(userHandles).toEqual(expect.arrayContaining(['EmailBounced', 'EmailComplained', 'EmailDelivered']));
  });
});
