import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
