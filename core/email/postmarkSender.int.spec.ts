import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from './emailSender.js';
import { createPostmarkSender, EmailProviderError, type PostmarkSenderOptions } from './postmarkSender.js';
import { startPostmarkStandIn, type PostmarkStandIn } from './postmarkStandIn.js';

const token = 'server-token-9f1c2e7a';
const from = 'Keyturn <no-reply@keyturn.example>';

const email = (to: string, refId = to): OutgoingEmail => ({
  to: [to],
  subject: 'Reset your password',
  html: '<p>BODY-MARKER</p>',
  text: 'BODY-MARKER https://portal.example.com/reset?token=secret-link',
  kind: 'reset',
  metadata: { accountId: `acc-${refId}`, refId, kind: 'reset' },
});

let standIn: PostmarkStandIn;
let logged: string[];

const record = (obj: Record<string, unknown>, msg: string) => logged.push(JSON.stringify({ obj, msg }));
const sender = (over: Partial<PostmarkSenderOptions> = {}) =>
  createPostmarkSender({
    serverToken: token,
    apiUrl: standIn.url,
    from,
    log: { info: record, warn: record },
    retry: { attempts: 5, baseDelayMs: 1 },
    ...over,
  });

/** A sleep that records what it was asked to wait and returns at once: the honoured delay, observed. */
const recordingSleep = () => {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
};

beforeAll(async () => {
  standIn = await startPostmarkStandIn({ token });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.reset();
  logged = [];
});

describe('given Postmark accepts every message', () => {
  it('answers ok with Postmark message ids, in order', async () => {
    const results = await sender().sendBatch([email('a@example.com'), email('b@example.com')]);
    expect(results).toEqual(standIn.messages.map((m) => ({ ok: true, providerMessageId: m.MessageID })));
    expect(standIn.messages.map((m) => m.To)).toEqual(['a@example.com', 'b@example.com']);
  });

  it('sends through the batch endpoint with tag, metadata, both bodies and joined recipients', async () => {
    await sender({ messageStream: 'transactional' }).sendBatch([
      { ...email('a@example.com', 'r1'), to: ['a@example.com', 'b@example.com'] },
    ]);
    expect(standIn.calls).toEqual([{ method: 'POST', path: '/email/batch', status: 200, messageCount: 1 }]);
    expect(standIn.messages[0]).toMatchObject({
      From: from,
      To: 'a@example.com, b@example.com',
      Subject: 'Reset your password',
      HtmlBody: '<p>BODY-MARKER</p>',
      TextBody: email('x').text,
      Tag: 'reset',
      Metadata: { accountId: 'acc-r1', refId: 'r1', kind: 'reset', jobId: 'reset:r1' },
      MessageStream: 'transactional',
    });
  });

  it('makes no call for an empty batch', async () => {
    expect(await sender().sendBatch([])).toEqual([]);
    expect(standIn.calls).toHaveLength(0);
  });

  it('splits 1,200 messages into 3 batch calls of at most 500', async () => {
    const emails = Array.from({ length: 1200 }, (_, i) => email(`user${i}@example.com`));
    const results = await sender().sendBatch(emails);
    expect(standIn.calls.map((c) => [c.path, c.messageCount])).toEqual([
      ['/email/batch', 500],
      ['/email/batch', 500],
      ['/email/batch', 200],
    ]);
    expect(results).toHaveLength(1200);
    expect(results[1199]).toEqual({ ok: true, providerMessageId: standIn.messages[1199]?.MessageID });
    expect(standIn.messages[1199]?.To).toBe('user1199@example.com');
  });
});

describe('given Postmark refuses some messages in a batch', () => {
  it('reports an inactive recipient (406) for that message only', async () => {
    const results = await sender().sendBatch([email('a@example.com'), email('inactive@example.com')]);
    expect(results[0]).toMatchObject({ ok: true });
    expect(results[1]).toEqual({
      ok: false,
      errorCode: '406',
      reason: 'inactive recipient (hard bounce or spam complaint earlier)',
    });
  });

  it('reports an invalid address (300) for that message only', async () => {
    const results = await sender().sendBatch([email('invalid@example'), email('b@example.com')]);
    expect(results[0]).toEqual({ ok: false, errorCode: '300', reason: 'invalid email address' });
    expect(results[1]).toMatchObject({ ok: true });
  });

  it("keeps Postmark's message for other codes", async () => {
    const standInWithRule = await startPostmarkStandIn({
      token,
      rules: [{ match: (a) => a.startsWith('blocked'), errorCode: 405, message: 'Not allowed to send.' }],
    });
    try {
      const results = await sender({ apiUrl: standInWithRule.url }).sendBatch([email('blocked@example.com')]);
      expect(results).toEqual([{ ok: false, errorCode: '405', reason: 'Not allowed to send.' }]);
    } finally {
      await standInWithRule.close();
    }
  });
});

describe('given Postmark is briefly overloaded', () => {
  it('retries a 429 and then answers the 200', async () => {
    standIn.failNext(429, 2);
    const results = await sender().sendBatch([email('a@example.com')]);
    expect(results).toEqual([{ ok: true, providerMessageId: standIn.messages[0]?.MessageID }]);
    expect(standIn.calls.map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('waits at least as long as a 429 asks with Retry-After: 2 (seconds) before the next try', async () => {
    standIn.failNext(429, 1, { 'retry-after': '2' });
    const { delays, sleep } = recordingSleep();
    const results = await sender({ sleep, retry: { attempts: 3, baseDelayMs: 1 } }).sendBatch([email('a@example.com')]);
    expect(results[0]).toMatchObject({ ok: true });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(standIn.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it('honours Retry-After as an HTTP-date, and a 503 that carries one', async () => {
    const now = new Date('2026-11-26T09:00:00.000Z');
    standIn.failNext(503, 1, { 'retry-after': 'Thu, 26 Nov 2026 09:00:03 GMT' });
    const { delays, sleep } = recordingSleep();
    await sender({ sleep, now: () => now }).sendBatch([email('a@example.com')]);
    expect(delays[0]).toBeGreaterThanOrEqual(3000);
  });

  it('really waits: a Retry-After of 1 s keeps the next try at least a second away', async () => {
    standIn.failNext(429, 1, { 'retry-after': '1' });
    const started = Date.now();
    await sender().sendBatch([email('a@example.com')]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(standIn.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it('leaves a Retry-After longer than it waits in-process to the reactor, carried on the error', async () => {
    standIn.failNext(429, 1, { 'retry-after': '120' });
    const { delays, sleep } = recordingSleep();
    const failure = await sender({ sleep, retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 30_000 } })
      .sendBatch([email('a@example.com')])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EmailProviderError);
    expect(failure).toMatchObject({ status: 429, retryable: true, retryAfterMs: 120_000 });
    expect(delays).toEqual([]);
    expect(standIn.calls).toHaveLength(1);
  });

  it('backs off exponentially with jitter when Postmark gives no Retry-After', async () => {
    standIn.failNext(500, 3);
    const { delays, sleep } = recordingSleep();
    await sender({ sleep, retry: { attempts: 5, baseDelayMs: 100 } }).sendBatch([email('a@example.com')]);
    expect(delays).toHaveLength(3);
    delays.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });
});

describe('given Postmark keeps failing', () => {
  it('rejects after the configured attempts on a persisting 500', async () => {
    standIn.failNext(500, 10);
    await expect(
      sender({ retry: { attempts: 3, baseDelayMs: 1 } }).sendBatch([email('a@example.com')]),
    ).rejects.toThrow(/HTTP 500.*3 attempt/);
    expect(standIn.calls.map((c) => c.status)).toEqual([500, 500, 500]);
  });

  it('retries network errors and then rejects', async () => {
    const gone = await startPostmarkStandIn({ token });
    await gone.close();
    await expect(
      sender({ apiUrl: gone.url, retry: { attempts: 2, baseDelayMs: 1 } }).sendBatch([email('a@example.com')]),
    ).rejects.toThrow(/HTTP none.*2 attempt/);
  });

  it('does not retry a 422 for the whole request: each message is refused, with the status in the code', async () => {
    standIn.failNext(422, 1);
    const results = await sender().sendBatch([email('a@example.com'), email('b@example.com')]);
    expect(standIn.calls).toHaveLength(1);
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatchObject({
        ok: false,
        errorCode: 'HTTP_422',
        reason: expect.stringMatching(/refused the request/),
      });
    }
  });
});

describe('given a wrong server token', () => {
  const wrong = 'wrong-token-5d1e0b33';

  it('refuses each message at once, naming the setting to check, without the token', async () => {
    const results = await sender({ serverToken: wrong }).sendBatch([email('a@example.com')]);
    expect(results).toEqual([
      { ok: false, errorCode: 'HTTP_401', reason: expect.stringMatching(/server token.*POSTMARK_SERVER_TOKEN/) },
    ]);
    expect(JSON.stringify(results)).not.toContain(wrong);
    expect(logged.join('\n')).not.toContain(wrong);
    expect(standIn.calls).toEqual([{ method: 'POST', path: '/email/batch', status: 401, messageCount: 0 }]);
  });
});

describe('given any outcome', () => {
  it('logs counts, never the token, the bodies or the link', async () => {
    standIn.failNext(429, 1);
    await sender().sendBatch([email('a@example.com'), email('inactive@example.com')]);
    expect(logged.join('\n')).toContain('"refused":1');
    for (const secret of [token, 'BODY-MARKER', 'secret-link', 'a@example.com']) {
      expect(logged.join('\n')).not.toContain(secret);
    }
  });
});

describe('given emails Postmark may already have accepted (a crash before their outcomes were recorded)', () => {
  const since = () => new Date(Date.now() - 60_000);
  const searches = () => standIn.calls.filter((c) => c.path === '/messages/outbound');

  it('finds the accepted ones by the job id in their metadata, and only those', async () => {
    const batch = [email('a@example.com', 'r1'), email('b@example.com', 'r2'), email('c@example.com', 'r3')];
    const results = await sender().sendBatch([batch[0]!, batch[2]!]);
    expect(standIn.messages.map((m) => m.Metadata?.jobId)).toEqual(['reset:r1', 'reset:r3']);
    const found = await sender().findAccepted!(batch, since());
    expect(found).toEqual(
      new Map([
        [0, (results[0] as { providerMessageId: string }).providerMessageId],
        [2, (results[1] as { providerMessageId: string }).providerMessageId],
      ]),
    );
    expect(searches()).toHaveLength(1);
  });

  it('pages through what was accepted in the window: calls grow with the messages there, not the jobs', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => email(`u${i}@example.com`, `r${i}`));
    for (let i = 0; i < many.length; i += 500) await sender().sendBatch(many.slice(i, i + 500));
    // The oldest are found last: messages are listed newest first.
    const found = await sender().findAccepted!(many.slice(0, 3), since());
    expect([...found.keys()].sort()).toEqual([0, 1, 2]);
    expect(searches()).toHaveLength(3);
    standIn.calls.length = 0;
    // The newest are on the first page: the search stops once every job is found.
    expect((await sender().findAccepted!(many.slice(-3), since())).size).toBe(3);
    expect(searches()).toHaveLength(1);
  });

  it('asks per tag, in the sender’s message stream, from an hour before `since` in Eastern time', async () => {
    await sender().sendBatch([email('a@example.com', 'r1')]);
    const welcome: OutgoingEmail = {
      ...email('b@example.com', 'w1'),
      kind: 'welcome',
      metadata: { accountId: 'acc', refId: 'w1', kind: 'welcome' },
    };
    const at = new Date('2026-07-01T16:00:00Z');
    const seen: URL[] = [];
    const spying = sender();
    const original = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      seen.push(new URL(input instanceof Request ? input.url : String(input)));
      return original(input, init);
    };
    try {
      await spying.findAccepted!([email('a@example.com', 'r1'), welcome], at);
    } finally {
      globalThis.fetch = original;
    }
    expect(
      seen.map((u) => [
        u.pathname,
        u.searchParams.get('tag'),
        u.searchParams.get('fromdate'),
        u.searchParams.get('messagestream'),
      ]),
    ).toEqual([
      ['/messages/outbound', 'reset', '2026-07-01T11:00:00', 'outbound'],
      ['/messages/outbound', 'welcome', '2026-07-01T11:00:00', 'outbound'],
    ]);
  });

  it('ends the window a few minutes after `until`, except in the hour that repeats when daylight saving ends', async () => {
    await sender().sendBatch([email('a@example.com', 'r1')]);
    const todates: (string | null)[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      todates.push(new URL(input instanceof Request ? input.url : String(input)).searchParams.get('todate'));
      return original(input, init);
    };
    try {
      const wanted = [email('a@example.com', 'r1')];
      await sender().findAccepted!(wanted, new Date('2026-07-01T15:00:00Z'), new Date('2026-07-01T16:00:00Z'));
      // 01:35 on 1 November 2026 happens twice in New York (EDT, then EST): no bound rather than a wrong one
      await sender().findAccepted!(wanted, new Date('2026-11-01T04:00:00Z'), new Date('2026-11-01T05:30:00Z'));
      await sender().findAccepted!(wanted, new Date('2026-07-01T15:00:00Z'));
    } finally {
      globalThis.fetch = original;
    }
    expect(todates).toEqual(['2026-07-01T12:05:00', null, null]);
  });

  it('goes past the 10,000 a search can list by narrowing `todate`', async () => {
    const many = Array.from({ length: 10_600 }, (_, i) => email(`u${i}@example.com`, `r${i}`));
    for (let i = 0; i < many.length; i += 500) await sender().sendBatch(many.slice(i, i + 500));
    // All within a second or two: the narrowing may end in one second, answered one job at a time.
    const found = await sender().findAccepted!([many[0]!, many[5]!], since());
    expect([...found.keys()].sort()).toEqual([0, 1]);
    expect(standIn.calls.filter((c) => c.path === '/messages/outbound' && c.status !== 200)).toHaveLength(0);
  }, 60_000);

  it('retries a search Postmark cannot answer now, then rejects with a retryable error', async () => {
    standIn.failNext(503, 2, {}, 'search');
    await sender().sendBatch([email('a@example.com', 'r1')]);
    expect((await sender().findAccepted!([email('a@example.com', 'r1')], since())).size).toBe(1);
    standIn.failNext(500, 10, {}, 'search');
    const failing = sender({ retry: { attempts: 3, baseDelayMs: 1 } }).findAccepted!(
      [email('a@example.com', 'r1')],
      since(),
    );
    await expect(failing).rejects.toMatchObject({ name: 'EmailProviderError', status: 500, retryable: true });
  });

  it('rejects with a refusal for good when the token is wrong, naming no token', async () => {
    const refused = await sender({ serverToken: 'not-the-token' }).findAccepted!(
      [email('a@example.com', 'r1')],
      since(),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EmailProviderError);
    expect(refused).toMatchObject({ status: 401, retryable: false });
    expect(String((refused as Error).message)).not.toContain('not-the-token');
  });
});
