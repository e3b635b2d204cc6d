import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './waitFor';

export interface OutboxEmail {
  file: string;
  to: string[];
  subject: string;
  text: string;
  kind: string;
  metadata: { accountId: string; refId: string; kind: string };
}

/** Every email the outbox sender wrote (`<DATA_DIR>/outbox/*.json`), oldest first (names start with the time). */
export function outbox(dataDir: string): OutboxEmail[] {
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<OutboxEmail, 'file'>) }));
}

/** Waits for the newest email matching `match` and returns the link in it, as the person would click it. */
export async function linkFrom(dataDir: string, match: (email: OutboxEmail) => boolean, notIn: string[] = []): Promise<string> {
  const email = await waitFor(() => outbox(dataDir).filter((e) => match(e) && !notIn.includes(e.file)).at(-1), {
    what: () => `an email in ${dataDir}/outbox; there are: ${outbox(dataDir).map((e) => `${e.kind} → ${e.to.join(',')}`).join('; ')}`,
  });
  const link = /https?:\/\/\S+/.exec(email.text)?.[0];
  if (!link) throw new Error(`no link in ${email.file}`);
  return link;
}

export const welcomeTo = (address: string) => (e: OutboxEmail) => e.kind === 'welcome' && e.to.includes(address);
export const welcomeFor = (accountId: string) => (e: OutboxEmail) => e.kind === 'welcome' && e.metadata.accountId === accountId;
