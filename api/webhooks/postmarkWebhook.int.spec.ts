import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { createHttpApp } from '../http.js';
import {
  createTestApp,
  createUser,
  eventsOf,
  eventually,
  sendWelcome,
  settled,
  type Manager,
  type OutboxMessage,
  type TestApp,
} from '../testing/harness.js';

const WEBHOOK = { user: 'postmark', password: 'correct-horse-battery-staple' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The whole HTTP app on a free loopback port, as Postmark would reach it. */
async function listen(app: TestApp, options: { postmarkWebhook?: typeof WEBHOOK }) {
  const server: Server = createHttpApp(app.keyturn, silentLogger, { secureCookies: false, ...options }).listen(
    0,
    '127.0.0.1',
  );
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    post: (body: unknown, authorization: string | null = basic(WEBHOOK.user, WEBHOOK.password)) =>
      fetch(`${base}/webhooks/postmark`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async lastEmail(token: string, userId: string) {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: 'query($id: ID!) { user(id: $id) { lastEmail { kind status to at error } } }',
          variables: { id: userId },
        }),
      });
      const json = (await res.json()) as {
        data?: { user: { lastEmail: { status: string; error: string | null; at: string } } };
      };
      return json.data?.user.lastEmail;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Shaped like Postmark's documented webhook bodies; Metadata is what our sender put on the message.
const bounce = (email: OutboxMessage, overrides: Record<string, unknown> = {}) => ({
  RecordType: 'Bounce',
  MessageStream: 'outbound',
  ID: 4323372036854775807,
  Type: 'HardBounce',
  TypeCode: 1,
  Name: 'Hard bounce',
  Tag: email.kind,
  MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
  Metadata: email.metadata,
  ServerID: 23,
  Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
  Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
  Email: email.to[0],
  From: 'no-reply@keyturn.local',
  BouncedAt: '2026-11-26T09:03:54.9070259Z',
  DumpAvailable: true,
  Inactive: true,
  CanActivate: true,
  Subject: email.subject,
  ...overrides,
});

const delivery = (email: OutboxMessage) => ({
  RecordType: 'Delivery',
  ServerID: 23,
  MessageStream: 'outbound',
  MessageID: '00000000-1111-2222-3333-444444444444',
  Recipient: email.to[0],
  Tag: email.kind,
  DeliveredAt: '2026-11-26T09:02:10Z',
  Details: 'smtp;250 2.0.0 OK',
  Metadata: email.metadata,
});

const spamComplaint = (email: OutboxMessage) => ({
  ...bounce(email, {
    RecordType: 'SpamComplaint',
    Type: 'SpamComplaint',
    TypeCode: 100001,
    Name: 'Spam complaint',
    Description: '',
    Details: 'Test spam complaint details',
  }),
  MessageID: '99999999-1111-2222-3333-444444444444',
});

const eventCount = async (app: TestApp) => (await app.store.readAll({ maxCount: 100_000 })).length;

describe('given webhooks configured, and Ben, whose welcome email the provider accepted', () => {
  let app: TestApp;
  let acme: Manager;
  let ben: { id: string };
  let welcome: OutboxMessage;
  let http: Awaited<ReturnType<typeof listen>>;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    ben = await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    welcome = (await sendWelcome(app, acme.token, ben.id)).email;
    await settled(app);
    http = await listen(app, { postmarkWebhook: WEBHOOK });
    expect((await http.lastEmail(acme.token, ben.id))?.status).toBe('DELIVERED');
  });
  afterEach(async () => {
    await http.close();
    await app.stop();
  });

  it('a hard bounce shows the email as FAILED with the reason, and is recorded once however often Postmark sends it', async () => {
    const first = await http.post(bounce(welcome));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'recorded' });

    const lastEmail = await eventually(async () => {
      const shown = await http.lastEmail(acme.token, ben.id);
      return shown?.status === 'FAILED' ? shown : undefined;
    }, 'the bounce to show');
    expect(lastEmail).toMatchObject({
      kind: 'welcome',
      status: 'FAILED',
      error: 'mailbox does not exist (ben@acme.example)',
    });

    const again = await http.post(bounce(welcome));
    expect(await again.json()).toEqual({ status: 'duplicate' });
    const bounced = await eventsOf(app, ben.id, 'EmailBounced');
    expect(bounced).toHaveLength(1);
    expect(bounced[0]!.data).toMatchObject({
      type: 'HardBounce',
      typeCode: 1,
      permanent: true,
      providerMessageId: '883953f4-6105-42a2-a16a-77a8eac79483',
      refId: welcome.metadata.refId,
    });
  });

  it('records a report Postmark delivers twice at the same moment once', async () => {
    const answers = await Promise.all([http.post(bounce(welcome)), http.post(bounce(welcome))]);
    const statuses = await Promise.all(answers.map(async (res) => ((await res.json()) as { status: string }).status));
    for (const status of statuses) expect(['recorded', 'duplicate']).toContain(status);
    expect(await eventsOf(app, ben.id, 'EmailBounced')).toHaveLength(1);
  });

  it("a Delivery report moves the email's time to when the recipient's server took it", async () => {
    const before = await http.lastEmail(acme.token, ben.id);
    app.clock.advance(5 * 60_000);
    const res = await http.post(delivery(welcome));
    expect(await res.json()).toEqual({ status: 'recorded' });
    const after = await eventually(async () => {
      const shown = await http.lastEmail(acme.token, ben.id);
      return shown && shown.at !== before?.at ? shown : undefined;
    }, 'the delivery to show');
    expect(after).toMatchObject({ status: 'DELIVERED', error: null, at: app.clock().toISOString() });
    expect((await eventsOf(app, ben.id, 'EmailDelivered')).at(-1)?.data).toMatchObject({
      deliveredAt: '2026-11-26T09:02:10.000Z',
      to: ['ben@acme.example'],
    });
  });

  it('a spam complaint is recorded in the history and leaves the email DELIVERED', async () => {
    const res = await http.post(spamComplaint(welcome));
    expect(await res.json()).toEqual({ status: 'recorded' });
    expect(await eventsOf(app, ben.id, 'EmailComplained')).toHaveLength(1);
    await settled(app);
    expect((await http.lastEmail(acme.token, ben.id))?.status).toBe('DELIVERED');
  });

  it('answers 401 without credentials or with wrong ones, and records nothing', async () => {
    const count = await eventCount(app);
    for (const authorization of [
      null,
      basic(WEBHOOK.user, 'wrong-password-of-some-length'),
      basic('someone', WEBHOOK.password),
      'Bearer x',
    ]) {
      const res = await http.post(bounce(welcome), authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    expect(await eventCount(app)).toBe(count);
  });

  it('answers 400 to a malformed payload, naming the problems, and records nothing', async () => {
    const count = await eventCount(app);
    const missing = await http.post(bounce(welcome, { MessageID: undefined, BouncedAt: 'yesterday' }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { problems: string[] }).problems).toEqual([
      'MessageID is missing',
      'BouncedAt must be a date and time',
    ]);
    const forgedKind = await http.post(bounce(welcome, { Metadata: { ...welcome.metadata, kind: 'invoice' } }));
    expect(forgedKind.status).toBe(400);
    expect((await http.post('{"RecordType": "Bounce",')).status).toBe(400);
    expect((await http.post('[1, 2]')).status).toBe(400);
    expect(await eventCount(app)).toBe(count);
  });

  it('answers 200 and records nothing for record types, accounts and emails it does not know', async () => {
    const count = await eventCount(app);
    const open = await http.post({
      RecordType: 'Open',
      MessageID: 'x',
      Metadata: welcome.metadata,
      Recipient: 'ben@acme.example',
    });
    expect(await open.json()).toMatchObject({ status: 'ignored' });
    const otherSender = await http.post(bounce(welcome, { Metadata: {} }));
    expect(await otherSender.json()).toMatchObject({ status: 'ignored' });
    const unknownAccount = await http.post(
      bounce(welcome, { Metadata: { ...welcome.metadata, accountId: 'no-such-account' } }),
    );
    expect(await unknownAccount.json()).toEqual({ status: 'ignored', reason: 'unknown-account' });
    const unknownEmail = await http.post(
      bounce(welcome, { Metadata: { ...welcome.metadata, refId: 'not-an-email-we-sent' } }),
    );
    expect(await unknownEmail.json()).toEqual({ status: 'ignored', reason: 'unknown-email' });
    expect(await eventCount(app)).toBe(count);
  });
});

describe('given webhooks not configured', () => {
  it('answers 404', async () => {
    const app = await createTestApp();
    const http = await listen(app, {});
    try {
      const res = await http.post({ RecordType: 'Bounce' });
      expect(res.status).toBe(404);
    } finally {
      await http.close();
      await app.stop();
    }
  });
});
