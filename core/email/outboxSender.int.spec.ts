import { mkdtempSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from './emailSender.js';
import { createOutboxSender } from './outboxSender.js';

const email = (refId: string, over: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  to: ['dana@example.com', 'front@example.com'],
  subject: 'Reset your password',
  html: '<p>Choose a new password</p>',
  text: 'Choose a new password: https://portal.example.com/reset?token=tok_123\n\nThis link expires soon.',
  kind: 'reset',
  metadata: { accountId: 'acc-1', refId, kind: 'reset' },
  ...over,
});

describe('given an outbox directory that does not exist yet', () => {
  let dir: string;
  let logged: { obj: Record<string, unknown>; msg: string }[];
  const at = new Date('2026-03-03T14:05:06.789Z');
  const sender = (logLinks?: boolean) =>
    createOutboxSender({
      dir,
      log: { info: (obj, msg) => logged.push({ obj, msg }) },
      now: () => at,
      logLinks,
      from: 'Acme Phones <no-reply@acme.example>',
    });

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'keyturn-outbox-')), 'nested', 'outbox');
    logged = [];
  });

  it('creates it and writes a JSON and an .eml file per message, named by time, kind and refId', async () => {
    const results = await sender().sendBatch([email('r1'), email('r2')]);
    const files = (await readdir(dir)).sort();
    const base = ['2026-03-03T14-05-06.789Z-reset-r1', '2026-03-03T14-05-06.789Z-reset-r2'];
    expect(files).toEqual(base.flatMap((b) => [`${b}.eml`, `${b}.json`]));
    expect(results).toEqual(base.map((b) => ({ ok: true, providerMessageId: `${b}.json` })));
  });

  it('stores to, subject, text, html, kind and metadata', async () => {
    const [result] = await sender().sendBatch([email('r1')]);
    const stored = JSON.parse(
      await readFile(join(dir, (result as { providerMessageId: string }).providerMessageId), 'utf8'),
    );
    expect(stored).toEqual({
      to: ['dana@example.com', 'front@example.com'],
      subject: 'Reset your password',
      text: email('r1').text,
      html: '<p>Choose a new password</p>',
      kind: 'reset',
      metadata: { accountId: 'acc-1', refId: 'r1', kind: 'reset' },
      writtenAt: '2026-03-03T14:05:06.789Z',
      eml: '2026-03-03T14-05-06.789Z-reset-r1.eml',
    });
  });

  it('leaves no temporary files behind', async () => {
    await sender().sendBatch([email('r1'), email('r2'), email('r3')]);
    expect((await readdir(dir)).filter((f) => !/\.(json|eml)$/.test(f) || f.startsWith('.'))).toEqual([]);
  });

  it('keeps a refId with path characters inside the directory', async () => {
    const [result] = await sender().sendBatch([email('../../escape')]);
    expect(result).toEqual({ ok: true, providerMessageId: '2026-03-03T14-05-06.789Z-reset-______escape.json' });
    expect((await readdir(dir)).sort()).toEqual([
      '2026-03-03T14-05-06.789Z-reset-______escape.eml',
      '2026-03-03T14-05-06.789Z-reset-______escape.json',
    ]);
  });

  it('writes files only its owner can read, in a directory only its owner can open: they hold live links', async () => {
    await sender().sendBatch([email('r1')]);
    for (const file of await readdir(dir)) expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toHaveLength(2);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('logs to, subject and file name, never the link, unless asked to (production never asks)', async () => {
    await sender().sendBatch([email('r1')]);
    expect(logged).toHaveLength(1);
    expect(Object.keys(logged[0]!.obj).sort()).toEqual(['file', 'subject', 'to']);
    expect(JSON.stringify(logged)).not.toContain('tok_123');
  });

  it('with logLinks, logs one line per message with to, subject and the link from the text body', async () => {
    await sender(true).sendBatch([email('r1'), email('r2', { text: 'No link here.' })]);
    expect(logged).toHaveLength(2);
    expect(logged[0]?.obj).toMatchObject({
      to: ['dana@example.com', 'front@example.com'],
      subject: 'Reset your password',
      link: 'https://portal.example.com/reset?token=tok_123',
    });
    expect(logged[1]?.obj.link).toBeUndefined();
  });

  describe('the .eml file', () => {
    const welcome = email('w1', {
      kind: 'welcome',
      to: ['zoe.mueller@example.com'],
      subject: 'Welcome to Acme Plumbing — complete your phone account setup',
      text: 'Hello Zoë,\n\nComplete Setup: https://portal.example.com/setup?token=tok_456\n',
      html: '<!DOCTYPE html><html lang="en"><body><p>Hello Zoë,</p><a href="https://portal.example.com/setup?token=tok_456">Complete Setup</a></body></html>',
      metadata: { accountId: 'acc-2', refId: 'w1', kind: 'welcome' },
    });
    const written = async () => {
      await sender().sendBatch([welcome]);
      return readFile(join(dir, '2026-03-03T14-05-06.789Z-welcome-w1.eml'));
    };

    it('is an RFC 5322 message with From, To, Subject, Date, Message-ID and MIME-Version headers', async () => {
      const raw = await written();
      const headers = raw.toString('latin1').split('\r\n\r\n')[0]!;
      expect(raw.toString('latin1').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF line ends only
      expect(headers).toMatch(/^MIME-Version: 1\.0$/m);
      expect(headers).toMatch(/^Date: Tue, 03 Mar 2026 14:05:06 \+0000$/m);
      expect(headers).toMatch(/^Message-ID: <[^>]+@acme\.example>$/m);
      expect(headers).toMatch(/^Content-Type: multipart\/alternative;/m);
      // header values outside ASCII are encoded words, as RFC 2047 wants
      expect(headers).toMatch(/^Subject: =\?UTF-8\?/m);
      expect(headers).not.toMatch(/[^\x00-\x7f]/);

      const parsed = await PostalMime.parse(raw);
      expect(parsed.from).toMatchObject({ name: 'Acme Phones', address: 'no-reply@acme.example' });
      expect(parsed.to).toEqual([{ name: '', address: 'zoe.mueller@example.com' }]);
      expect(parsed.subject).toBe('Welcome to Acme Plumbing — complete your phone account setup');
      expect(parsed.date).toBe('2026-03-03T14:05:06.000Z');
    });

    it('carries the plain-text and the HTML body as UTF-8 alternatives, as written', async () => {
      const raw = await written();
      expect(raw.toString('latin1')).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
      expect(raw.toString('latin1')).toMatch(/Content-Type: text\/html; charset=utf-8/i);
      const parsed = await PostalMime.parse(raw);
      // each part ends with the line break that closes every MIME part; CRLF as RFC 5322 wants
      const lf = (body?: string) => body?.replace(/\r\n/g, '\n');
      expect(lf(parsed.text)).toBe(`${welcome.text}\n`);
      expect(lf(parsed.html)).toBe(`${welcome.html}\n`);
      expect(parsed.attachments).toEqual([]);
    });

    it('never reads a file or URL into the message, whatever the body says', async () => {
      await sender().sendBatch([email('p1', { text: 'file:///etc/passwd', html: '<img src="file:///etc/passwd">' })]);
      const parsed = await PostalMime.parse(await readFile(join(dir, '2026-03-03T14-05-06.789Z-reset-p1.eml')));
      expect(parsed.text?.trim()).toBe('file:///etc/passwd');
      expect(parsed.attachments).toEqual([]);
    });
  });
});

describe('given emails the outbox may already have written (a crash before their outcomes were recorded)', () => {
  let dir: string;
  const sender = () => createOutboxSender({ dir, log: { info: () => undefined } });
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'keyturn-outbox-')), 'outbox');
  });

  it('finds the ones it wrote by kind and refId, with the file name it answered when writing them', async () => {
    const [written] = await sender().sendBatch([email('r1')]);
    await sender().sendBatch([
      email('r3', { kind: 'welcome', metadata: { accountId: 'acc-1', refId: 'r3', kind: 'welcome' } }),
    ]);
    const asked = [email('r1'), email('r2'), email('r3')];
    const found = await sender().findAccepted!(asked, new Date(0));
    expect(found).toEqual(new Map([[0, (written as { providerMessageId: string }).providerMessageId]]));
  });

  it('finds nothing when it never wrote a file', async () => {
    expect((await sender().findAccepted!([email('r1')], new Date(0))).size).toBe(0);
  });
});
