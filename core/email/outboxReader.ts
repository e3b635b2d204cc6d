import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { firstLink } from './outboxSender.js';

/** One email of the outbox, as `npm run outbox` shows it. */
export interface OutboxEntry {
  writtenAt: Date;
  kind: string;
  to: string[];
  subject: string;
  /** the first link of the plain-text body: the setup or reset link, or the sign-in page */
  link?: string;
  /** the JSON file, and the `.eml` beside it when there is one (files from before it have none) */
  file: string;
  eml?: string;
}

const stringsOf = (value: unknown) => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);

async function entryOf(dir: string, file: string): Promise<OutboxEntry | undefined> {
  try {
    const path = join(dir, file);
    const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const text = typeof record.text === 'string' ? record.text : '';
    const { mtime } = await stat(path);
    const stamped = typeof record.writtenAt === 'string' ? new Date(record.writtenAt) : undefined;
    const eml = file.replace(/\.json$/, '.eml');
    const hasEml = await stat(join(dir, eml)).then(
      () => true,
      () => false,
    );
    const link = firstLink(text);
    return {
      writtenAt: stamped && !Number.isNaN(stamped.getTime()) ? stamped : mtime,
      kind: typeof record.kind === 'string' ? record.kind : 'unknown',
      to: stringsOf(record.to),
      subject: typeof record.subject === 'string' ? record.subject : '',
      ...(link ? { link } : {}),
      file,
      ...(hasEml ? { eml } : {}),
    };
  } catch {
    return undefined; // not an outbox email (a stray file, one being written by hand): not listed
  }
}

/** The outbox's emails, newest first; `total` counts them all, `entries` holds at most `limit`. */
export async function readOutbox(dir: string, limit = Infinity): Promise<{ total: number; entries: OutboxEntry[] }> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter(
    (f) => f.endsWith('.json') && !f.startsWith('.'),
  );
  const entries = (await Promise.all(files.map((file) => entryOf(dir, file)))).filter((e) => e !== undefined);
  // Names start with the time, so the name breaks ties between emails of the same millisecond.
  entries.sort((a, b) => b.writtenAt.getTime() - a.writtenAt.getTime() || b.file.localeCompare(a.file));
  return { total: entries.length, entries: entries.slice(0, limit) };
}
