import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../core/email/emailSender.js';
import { createOutboxSender } from '../core/email/outboxSender.js';

const run = (dataDir: string, args: string[] = []) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/outbox.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });

const email = (to: string, kind: OutgoingEmail['kind'], subject: string, link?: string): OutgoingEmail => ({
  to: [to],
  subject,
  text: link ? `Hello,\n\nOpen: ${link}\n` : 'Hello,\n\nNo link in this one.\n',
  html: '<p>Hello</p>',
  kind,
  metadata: { accountId: `acc-${to}`, refId: `ref-${to}`, kind },
});

describe('npm run outbox, given a data directory whose outbox holds four emails and one from an older version', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-outbox-cli-'));
  const outbox = join(dataDir, 'outbox');
  beforeAll(async () => {
    let minute = 0;
    const at = () => new Date(Date.UTC(2026, 2, 3, 9, minute++, 0));
    const sender = createOutboxSender({ dir: outbox, log: { info: () => {} }, now: at });
    await sender.sendBatch([
      email('olivia.manager@acme.example', 'welcome', 'Welcome to Acme', 'http://localhost:3000/setup?token=first'),
      email('arthur.auditor@acme.example', 'welcome', 'Welcome to Acme', 'http://localhost:3000/setup?token=second'),
      email('ben@acme.example', 'reset', 'Reset your password', 'http://localhost:3000/reset-password?token=third'),
      email('ben@acme.example', 'password-changed', 'Your password was changed'),
    ]);
    // written before the outbox kept .eml files and the time: listed by its file's time, with its JSON
    mkdirSync(outbox, { recursive: true });
    const old = join(outbox, 'old-welcome.json');
    writeFileSync(old, JSON.stringify({ to: ['old@acme.example'], subject: 'Old one', text: 'http://x.test/setup?token=old', kind: 'welcome' }));
    utimesSync(old, new Date('2026-03-01T08:00:00Z'), new Date('2026-03-01T08:00:00Z'));
    writeFileSync(join(outbox, 'notes.json'), 'not an email');
  });

  it('lists the newest first with time, kind, recipient, subject, link and the .eml file to open', () => {
    const result = run(dataDir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`5 emails in ${outbox}, newest first:`);
    const blocks = result.stdout.trim().split('\n\n').slice(1);
    expect(blocks).toHaveLength(5);
    expect(blocks[0]).toBe(
      [
        '2026-03-03 09:03:00 UTC  password-changed',
        '  To:      ben@acme.example',
        '  Subject: Your password was changed',
        `  Open:    ${join(outbox, '2026-03-03T09-03-00.000Z-password-changed-ref-ben_acme_example.eml')}`,
      ].join('\n'),
    );
    expect(blocks[1]).toContain('  Link:    http://localhost:3000/reset-password?token=third');
    expect(blocks[3]).toMatch(/^2026-03-03 09:00:00 UTC {2}welcome\n {2}To: {6}olivia\.manager@acme\.example\n/);
    expect(blocks[3]).toContain('  Link:    http://localhost:3000/setup?token=first');
    expect(blocks[4]).toContain('2026-03-01 08:00:00 UTC  welcome');
    expect(blocks[4]).toContain(`  Open:    ${join(outbox, 'old-welcome.json')}`);
  });

  it('shows as many as asked, and only those to a recipient when --to names one', () => {
    const two = run(dataDir, ['2']);
    expect(two.stdout).toContain('2 of 5 emails');
    expect(two.stdout.trim().split('\n\n')).toHaveLength(3);
    const arthur = run(dataDir, ['--to', 'ARTHUR']);
    expect(arthur.stdout).toContain('1 email in');
    expect(arthur.stdout).toContain('token=second');
    expect(arthur.stdout).not.toContain('olivia');
  });

  it('refuses a count that is not a whole number, with its usage, exit code 2', () => {
    const result = run(dataDir, ['ten']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('count must be a whole number from 1 (got "ten")');
    expect(result.stderr).toContain('Usage: npm run outbox');
  });
});

describe('npm run outbox, given a data directory with no outbox yet', () => {
  it('says there are no emails, and where it looked', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-outbox-cli-'));
    const result = run(dataDir);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(`No emails in ${join(dataDir, 'outbox')}.`);
  });
});
