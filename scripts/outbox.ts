import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readOutbox, type OutboxEntry } from '../core/email/outboxReader.js';

const usage = `Usage: npm run outbox [-- [count] [--to <text>]]

Lists the newest emails in DATA_DIR/outbox (default ./data/outbox), newest first: when, kind,
recipient, subject, the link each carries, and the .eml file to open in a mail client or browser.
count: how many (default 10); --to: only emails whose recipient contains this text.`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

const when = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** As short as it stays unambiguous: relative to here when inside it (`data/outbox/…`). */
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
};

function describe(entry: OutboxEntry, dir: string) {
  return [
    `${when(entry.writtenAt)}  ${entry.kind}`,
    `  To:      ${entry.to.join(', ')}`,
    `  Subject: ${entry.subject}`,
    ...(entry.link ? [`  Link:    ${entry.link}`] : []),
    `  Open:    ${shown(join(dir, entry.eml ?? entry.file))}`,
  ].join('\n');
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({ options: { to: { type: 'string' }, help: { type: 'boolean', default: false } }, allowPositionals: true });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) return console.log(usage);
  const [countArg, ...rest] = parsed.positionals;
  if (rest.length > 0) fail(`unexpected argument "${rest[0]}"`);
  const count = countArg === undefined ? 10 : Number(countArg);
  if (!Number.isInteger(count) || count < 1) fail(`count must be a whole number from 1 (got "${countArg}")`);
  const dir = resolve(process.env.DATA_DIR?.trim() || './data', 'outbox');
  const { entries } = await readOutbox(dir);
  const to = parsed.values.to?.toLowerCase();
  const matching = to ? entries.filter((e) => e.to.some((address) => address.toLowerCase().includes(to))) : entries;
  if (matching.length === 0) {
    console.log(`No emails in ${shown(dir)}${to ? ` to an address containing "${to}"` : ''}.`);
    return;
  }
  const listed = matching.slice(0, count);
  const of = listed.length < matching.length ? ` of ${matching.length}` : '';
  console.log(`${listed.length}${of} email${matching.length === 1 ? '' : 's'} in ${shown(dir)}, newest first:\n`);
  console.log(listed.map((e) => describe(e, dir)).join('\n\n'));
}

main().catch((error: unknown) => {
  console.error('npm run outbox failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
