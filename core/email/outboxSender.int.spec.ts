import { mkdtempSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    createOutboxSender({ dir, log: { info: (obj, msg) => logged.push({ obj, msg }) }, now: () => at, logLinks });

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'keyturn-outbox-')), 'nested', 'outbox');
    logged = [];
  });

  it('creates it and writes one JSON file per message, named by time, kind and refId', async () => {
    const results = await sender().sendBatch([email('r1'), email('r2')]);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['2026-03-03T14-05-06.789Z-reset-r1.json', '2026-03-03T14-05-06.789Z-reset-r2.json']);
    expect(results).toEqual(files.map((providerMessageId) => ({ ok: true, providerMessageId })));
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
    });
  });

  it('leaves no temporary files behind', async () => {
    await sender().sendBatch([email('r1'), email('r2'), email('r3')]);
    expect((await readdir(dir)).filter((f) => !f.endsWith('.json') || f.startsWith('.'))).toEqual([]);
  });

  it('keeps a refId with path characters inside the directory', async () => {
    const [result] = await sender().sendBatch([email('../../escape')]);
    expect(result).toEqual({ ok: true, providerMessageId: '2026-03-03T14-05-06.789Z-reset-______escape.json' });
    expect(await readdir(dir)).toEqual(['2026-03-03T14-05-06.789Z-reset-______escape.json']);
  });

  it('writes files only its owner can read, in a directory only its owner can open: they hold live links', async () => {
    const [result] = await sender().sendBatch([email('r1')]);
    const file = join(dir, (result as { providerMessageId: string }).providerMessageId);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
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
});
