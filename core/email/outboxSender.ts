import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { EmailLog } from './emailLog.js';
import type { EmailSender, OutgoingEmail, SendResult } from './emailSender.js';

export interface OutboxSenderOptions {
  /** created if missing */
  dir: string;
  log: EmailLog;
  /** the From of the `.eml` files, as EMAIL_FROM gives it to Postmark */
  from?: string;
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

export const firstLink = (text: string) => text.match(/https?:\/\/\S+/)?.[0];

/** The message as a mail client would receive it: RFC 5322, multipart/alternative text + HTML, UTF-8. */
function eml(email: OutgoingEmail, from: string, date: Date): Promise<Buffer> {
  const { to, subject, text, html } = email;
  // Only the strings given here go in: no file or URL is ever read into a message. CRLF throughout,
  // as RFC 5322 wants (the templates write LF).
  const safe = { disableFileAccess: true, disableUrlAccess: true, newline: 'windows' };
  const composer = new MailComposer({ from, to, subject, text, html, date, ...safe });
  return composer.compile().build();
}

/**
 * Development adapter: every email becomes a JSON file (what `npm run outbox` reads) and an `.eml`
 * file beside it that opens in a mail client, instead of leaving the machine. Files are written to a
 * temporary name and renamed, the `.eml` first, so a watcher (or a person with `ls`) never reads half
 * a file and every JSON file has its message.
 */
export function createOutboxSender(options: OutboxSenderOptions): EmailSender {
  const { dir, log, from = 'Keyturn <no-reply@keyturn.local>', now = () => new Date(), logLinks = false } = options;

  async function writeFiles(files: [name: string, content: string | Buffer][]) {
    const temps = files.map(([name]) => join(dir, `.${name}.${randomUUID()}.tmp`));
    try {
      // the files hold live links: owner-only, like the databases
      for (const [i, [, content]] of files.entries()) await writeFile(temps[i]!, content, { mode: 0o600 });
      for (const [i, [name]] of files.entries()) await rename(temps[i]!, join(dir, name));
    } catch (error) {
      await Promise.all(temps.map((temp) => rm(temp, { force: true })));
      throw error;
    }
  }

  async function writeOne(email: OutgoingEmail): Promise<SendResult> {
    const at = now();
    const base = `${at.toISOString().replace(/:/g, '-')}-${email.kind}-${safePart(email.metadata.refId)}`;
    const fileName = `${base}.json`;
    const { to, subject, text, html, kind, metadata } = email;
    const record = { to, subject, text, html, kind, metadata, writtenAt: at.toISOString(), eml: `${base}.eml` };
    await writeFiles([
      [`${base}.eml`, await eml(email, from, at)],
      [fileName, JSON.stringify(record, null, 2)],
    ]);
    log.info(
      { to, subject, ...(logLinks ? { link: firstLink(text) } : {}), file: fileName },
      'email written to outbox',
    );
    return { ok: true, providerMessageId: fileName };
  }

  return {
    /**
     * The files it wrote are the record: a job's JSON file (written last, so its email is complete) ends
     * with its kind and refId. One directory listing per lookup, whatever the number of jobs.
     */
    async findAccepted(emails) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
        throw error;
      }
      const bySuffix = new Map(names.filter((n) => n.endsWith('.json')).map((n) => [n.replace(/^.*?Z-/, ''), n]));
      const found = new Map<number, string>();
      for (const [i, email] of emails.entries()) {
        const name = bySuffix.get(`${email.kind}-${safePart(email.metadata.refId)}.json`);
        if (name) found.set(i, name);
      }
      return found;
    },
    async sendBatch(emails) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const results: SendResult[] = [];
      for (const email of emails) results.push(await writeOne(email));
      return results;
    },
  };
}
