import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmailLog } from './emailLog.js';
import type { EmailSender, OutgoingEmail, SendResult } from './emailSender.js';

export interface OutboxSenderOptions {
  /** created if missing */
  dir: string;
  log: EmailLog;
  /** defaults to the clock; the file name carries this time */
  now?: () => Date;
  /**
   * Print each email's link in the log line, so a developer can click it. Never in production: a
   * link is a password for whoever reads the log. Default false.
   */
  logLinks?: boolean;
}

// refId comes from event data; keep it from naming a path outside `dir` (`../`, separators).
const safePart = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '_');

const firstLink = (text: string) => text.match(/https?:\/\/\S+/)?.[0];

/**
 * Development adapter: every email becomes one JSON file instead of leaving the machine. Files are
 * written to a temporary name and renamed, so a watcher (or a person with `ls`) never reads half a file.
 */
export function createOutboxSender({ dir, log, now = () => new Date(), logLinks = false }: OutboxSenderOptions): EmailSender {
  async function writeOne(email: OutgoingEmail): Promise<SendResult> {
    const stamp = now().toISOString().replace(/:/g, '-');
    const fileName = `${stamp}-${email.kind}-${safePart(email.metadata.refId)}.json`;
    const { to, subject, text, html, kind, metadata } = email;
    const temp = join(dir, `.${fileName}.${randomUUID()}.tmp`);
    try {
      // the files hold live links: owner-only, like the databases
      await writeFile(temp, JSON.stringify({ to, subject, text, html, kind, metadata }, null, 2), { mode: 0o600 });
      await rename(temp, join(dir, fileName));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    log.info({ to, subject, ...(logLinks ? { link: firstLink(text) } : {}), file: fileName }, 'email written to outbox');
    return { ok: true, providerMessageId: fileName };
  }

  return {
    async sendBatch(emails) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const results: SendResult[] = [];
      for (const email of emails) results.push(await writeOne(email));
      return results;
    },
  };
}
