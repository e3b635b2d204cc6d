import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { toEasternTime } from './easternTime.js';
import { startPostmarkStandIn, type PostmarkStandIn } from './postmarkStandIn.js';

// Plain fetch, so these pin the stand-in's own answers; postmarkSender.int.spec.ts drives it with the real client.
const token = 'stand-in-token';
let standIn: PostmarkStandIn;

const post = async (
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'X-Postmark-Server-Token': token },
) => {
  const response = await fetch(`${standIn.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as PostmarkJson };
};

/** an object answer or, for a batch, an array of items */
type PostmarkJson = { [key: string]: unknown; [index: number]: Record<string, unknown> };

const message = (To: string) => ({ From: 'a@keyturn.example', To, Subject: 'Hi', TextBody: 'Hello' });

beforeAll(async () => {
  standIn = await startPostmarkStandIn({ token });
});
afterAll(() => standIn.close());
beforeEach(() => standIn.reset());

describe('given a request without the right server token', () => {
  it('answers 401 with ErrorCode 10 when the header is missing or wrong', async () => {
    const missingOrWrong: Record<string, string>[] = [{}, { 'X-Postmark-Server-Token': 'nope' }];
    for (const headers of missingOrWrong) {
      const { status, body } = await post('/email/batch', [message('a@example.com')], headers);
      expect(status).toBe(401);
      expect(body.ErrorCode).toBe(10);
    }
    expect(standIn.messages).toHaveLength(0);
  });
});

describe('given a batch', () => {
  it('answers 200 with one Postmark-shaped item per message, in order', async () => {
    const { status, body } = await post('/email/batch', [message('a@example.com'), message('inactive@example.com')]);
    expect(status).toBe(200);
    expect(body[0]).toEqual({
      ErrorCode: 0,
      Message: 'OK',
      MessageID: expect.any(String),
      SubmittedAt: expect.any(String),
      To: 'a@example.com',
    });
    expect(body[1]).toMatchObject({ ErrorCode: 406, To: 'inactive@example.com' });
    expect(standIn.messages.map((m) => m.ErrorCode)).toEqual([0, 406]);
  });

  it('refuses more than 500 messages with 422 / ErrorCode 410', async () => {
    const { status, body } = await post(
      '/email/batch',
      Array.from({ length: 501 }, () => message('a@example.com')),
    );
    expect(status).toBe(422);
    expect(body.ErrorCode).toBe(410);
  });
});

describe('given a single send', () => {
  it('answers 200 for a good address and 422 for a refused one', async () => {
    expect((await post('/email', message('a@example.com'))).status).toBe(200);
    const refused = await post('/email', message('invalid@example'));
    expect(refused).toEqual({
      status: 422,
      body: expect.objectContaining({ ErrorCode: 300, Message: "Invalid 'To' address" }),
    });
  });
});

describe('given queued failures', () => {
  it('answers them in order to authorised calls, then recovers, recording every call', async () => {
    standIn.failNext(429);
    standIn.failNext(500, 1);
    await post('/email/batch', [message('a@example.com')], {});
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/email/batch', [message('a@example.com')])).status);
    expect(statuses).toEqual([429, 500, 200]);
    expect(standIn.calls.map((c) => c.status)).toEqual([401, 429, 500, 200]);
  });
});

describe('given the Messages API outbound search (GET /messages/outbound)', () => {
  const search = async (
    query: Record<string, string | number>,
    headers: Record<string, string> = { 'X-Postmark-Server-Token': token },
  ) => {
    const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const response = await fetch(`${standIn.url}/messages/outbound?${params.toString()}`, {
      headers: { accept: 'application/json', ...headers },
    });
    return {
      status: response.status,
      body: (await response.json()) as { TotalCount: number; Messages: Record<string, unknown>[]; ErrorCode?: number },
    };
  };
  const tagged = (To: string, Tag: string, jobId: string) => ({
    ...message(To),
    Tag,
    Metadata: { jobId },
    MessageStream: 'outbound',
  });

  it('lists the accepted messages newest first, in Postmark’s shape, with the total', async () => {
    await post('/email/batch', [
      tagged('a@example.com', 'welcome', 'welcome:1'),
      tagged('inactive@example.com', 'welcome', 'welcome:2'),
    ]);
    await post('/email/batch', [tagged('b@example.com', 'welcome', 'welcome:3')]);
    const { status, body } = await search({ count: 500, offset: 0 });
    expect(status).toBe(200);
    expect(body.TotalCount).toBe(2);
    expect(body.Messages.map((m) => m.Recipients)).toEqual([['b@example.com'], ['a@example.com']]);
    expect(body.Messages[0]).toEqual({
      Tag: 'welcome',
      MessageID: standIn.messages[2]!.MessageID,
      To: [{ Email: 'b@example.com', Name: null }],
      Cc: [],
      Bcc: [],
      Recipients: ['b@example.com'],
      ReceivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      From: 'a@keyturn.example',
      Subject: 'Hi',
      Attachments: [],
      Status: 'Sent',
      TrackOpens: false,
      TrackLinks: 'None',
      Metadata: { jobId: 'welcome:3' },
      MessageStream: 'outbound',
      Sandboxed: false,
    });
  });

  it('filters by tag, recipient, stream and one metadata field, and pages with count and offset', async () => {
    await post('/email/batch', [
      tagged('a@example.com', 'welcome', 'welcome:1'),
      tagged('b@example.com', 'reset', 'reset:1'),
      tagged('c@example.com', 'welcome', 'welcome:2'),
    ]);
    const ids = async (query: Record<string, string | number>) =>
      (await search({ count: 500, offset: 0, ...query })).body.Messages.map(
        (m) => (m.Metadata as { jobId: string }).jobId,
      );
    expect(await ids({ tag: 'welcome' })).toEqual(['welcome:2', 'welcome:1']);
    expect(await ids({ recipient: 'B@example.com' })).toEqual(['reset:1']);
    expect(await ids({ metadata_jobId: 'welcome:1' })).toEqual(['welcome:1']);
    expect(await ids({ messagestream: 'broadcast' })).toEqual([]);
    expect(await ids({ tag: 'welcome', count: 1, offset: 1 })).toEqual(['welcome:1']);
    expect((await search({ count: 1, offset: 0 })).body.TotalCount).toBe(3);
  });

  it('reads fromdate and todate as US Eastern wall-clock time, todate inclusive', async () => {
    await post('/email/batch', [tagged('a@example.com', 'welcome', 'welcome:1')]);
    const at = new Date(standIn.messages[0]!.ReceivedAt!);
    const found = async (query: Record<string, string>) =>
      (await search({ count: 10, offset: 0, ...query })).body.TotalCount;
    expect(await found({ fromdate: toEasternTime(at), todate: toEasternTime(at) })).toBe(1);
    expect(await found({ fromdate: toEasternTime(new Date(at.getTime() + 2000)) })).toBe(0);
    expect(await found({ todate: toEasternTime(new Date(at.getTime() - 2000)) })).toBe(0);
    // The same wall-clock time read as UTC would be four or five hours off.
    expect(await found({ fromdate: at.toISOString().slice(0, 19) })).toBe(0);
  });

  it('refuses what Postmark refuses: count over 500, count + offset over 10,000, two metadata fields, a bad date', async () => {
    const refused: Record<string, string | number>[] = [
      { count: 501, offset: 0 },
      { count: 500, offset: 9501 },
      { count: 10 },
      { count: 10, offset: 0, metadata_a: '1', metadata_b: '2' },
      { count: 10, offset: 0, fromdate: 'yesterday' },
    ];
    for (const query of refused) {
      expect((await search(query)).status).toBe(422);
    }
    expect((await search({ count: 500, offset: 9500 })).status).toBe(200);
  });

  it('checks the server token like the send routes, and answers queued search failures', async () => {
    expect((await search({ count: 10, offset: 0 }, {})).status).toBe(401);
    expect((await search({ count: 10, offset: 0 }, { 'X-Postmark-Server-Token': 'nope' })).status).toBe(401);
    standIn.failNext(503, 1, {}, 'search');
    expect((await post('/email/batch', [message('a@example.com')])).status).toBe(200);
    expect((await search({ count: 10, offset: 0 })).status).toBe(503);
    expect((await search({ count: 10, offset: 0 })).status).toBe(200);
  });
});

describe('given a latency', () => {
  it('accepts the messages at once and holds the answer that long', async () => {
    const slow = await startPostmarkStandIn({ token, latencyMs: 300 });
    try {
      const answer = fetch(`${slow.url}/email/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Postmark-Server-Token': token },
        body: JSON.stringify([message('a@example.com')]),
      });
      await vi.waitFor(() => expect(slow.held()).toBe(1), { timeout: 5000, interval: 5 });
      expect(slow.messages).toHaveLength(1);
      expect(slow.calls).toHaveLength(0);
      expect((await answer).status).toBe(200);
      expect(slow.held()).toBe(0);
      expect(slow.calls).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});
