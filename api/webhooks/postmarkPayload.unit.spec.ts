import { describe, expect, it } from 'vitest';
import { parsePostmarkPayload } from './postmarkPayload.js';

const metadata = { accountId: 'acc-ben', refId: 'inv-1', kind: 'welcome' };
const bounce = (overrides: Record<string, unknown> = {}) => ({
  RecordType: 'Bounce',
  Type: 'HardBounce',
  TypeCode: 1,
  MessageID: 'pm-1',
  Email: 'Ben@Acme.example',
  BouncedAt: '2026-11-26T09:03:54.9070259Z',
  Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
  Details: 'smtp;550 5.1.1 no such user',
  Inactive: true,
  Metadata: metadata,
  ...overrides,
});

describe('given a Postmark Bounce payload', () => {
  it('reads a hard bounce as permanent, in words an office manager can act on', () => {
    expect(parsePostmarkPayload(bounce())).toEqual({
      kind: 'report',
      recordType: 'Bounce',
      report: {
        type: 'bounced',
        id: 'postmark:Bounce:pm-1:ben@acme.example',
        accountId: 'acc-ben',
        refId: 'inv-1',
        kind: 'welcome',
        providerMessageId: 'pm-1',
        recipient: 'Ben@Acme.example',
        at: '2026-11-26T09:03:54.907Z',
        bounceType: 'HardBounce',
        typeCode: 1,
        permanent: true,
        reason: 'mailbox does not exist',
        details: 'smtp;550 5.1.1 no such user',
      },
    });
  });

  it('reads a soft bounce as temporary, unless Postmark deactivated the address', () => {
    const soft = parsePostmarkPayload(bounce({ Type: 'SoftBounce', TypeCode: 4096, Inactive: false }));
    expect(soft).toMatchObject({ report: { permanent: false, reason: 'mailbox temporarily unavailable (e.g. full)' } });
    expect(parsePostmarkPayload(bounce({ Type: 'SoftBounce', TypeCode: 4096, Inactive: true }))).toMatchObject({
      report: { permanent: true },
    });
  });

  it("falls back to Postmark's description for a bounce type it does not know", () => {
    const odd = parsePostmarkPayload(
      bounce({ Type: 'SomethingNew', TypeCode: 123456, Inactive: false, Description: 'Something new happened.' }),
    );
    expect(odd).toMatchObject({
      report: { bounceType: 'SomethingNew', permanent: false, reason: 'Something new happened.' },
    });
  });

  it('names every problem of a malformed one', () => {
    expect(
      parsePostmarkPayload(
        bounce({ MessageID: 7, Email: 'nobody', TypeCode: '1', Metadata: { ...metadata, accountId: '../x' } }),
      ),
    ).toEqual({
      kind: 'malformed',
      recordType: 'Bounce',
      problems: [
        'MessageID must be a string of at most 100 characters',
        'Email must be an email address',
        'TypeCode must be a whole number',
        'Metadata.accountId must be an id',
      ],
    });
  });

  it('ignores a message that carries no keyturn metadata (another sender on the same server)', () => {
    expect(parsePostmarkPayload(bounce({ Metadata: {} }))).toMatchObject({ kind: 'ignored' });
    expect(parsePostmarkPayload(bounce({ Metadata: undefined }))).toMatchObject({ kind: 'ignored' });
  });
});

describe('given other payloads', () => {
  it('ignores record types it does not record, and refuses bodies that are no Postmark record', () => {
    expect(parsePostmarkPayload({ RecordType: 'Click' })).toMatchObject({ kind: 'ignored', recordType: 'Click' });
    expect(parsePostmarkPayload([])).toMatchObject({ kind: 'malformed' });
    expect(parsePostmarkPayload({ Type: 'HardBounce' })).toEqual({
      kind: 'malformed',
      problems: ['RecordType is missing'],
    });
  });

  it('reads Delivery and SpamComplaint, one report per message, type and recipient', () => {
    const delivered = parsePostmarkPayload({
      RecordType: 'Delivery',
      MessageID: 'pm-1',
      Recipient: 'ben@acme.example',
      DeliveredAt: '2026-11-26T09:02:10Z',
      Metadata: metadata,
    });
    expect(delivered).toMatchObject({
      report: { type: 'delivered', id: 'postmark:Delivery:pm-1:ben@acme.example', at: '2026-11-26T09:02:10.000Z' },
    });
    const complained = parsePostmarkPayload(
      bounce({ RecordType: 'SpamComplaint', Type: 'SpamComplaint', TypeCode: 100001 }),
    );
    expect(complained).toMatchObject({
      report: { type: 'complained', id: 'postmark:SpamComplaint:pm-1:ben@acme.example' },
    });
  });
});
