import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

const accountOf = async (path: string): Promise<string | undefined> => {
  try {
    const record = JSON.parse(await readFile(path, 'utf8')) as { metadata?: { accountId?: unknown } };
    return typeof record.metadata?.accountId === 'string' ? record.metadata.accountId : undefined;
  } catch {
    return undefined; // not an outbox email, or gone meanwhile
  }
};

/**
 * Deletes the outbox emails written for an account (the erasure of its person): each JSON file whose
 * `metadata.accountId` is the account, and its `.eml` twin, which carries no account id of its own
 * and is found by name. The `.eml` goes first, so an interrupted run leaves the JSON file that leads
 * the next run back to it. Running it again deletes nothing more. Returns how many files went.
 *
 * The files are unlinked: what the filesystem keeps of their blocks is the filesystem's (an
 * encrypted volume for DATA_DIR covers that).
 */
export async function deleteOutboxEmailsOf(dir: string, accountId: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let deleted = 0;
  // Half-written files (`.<name>.<uuid>.tmp`) of a crashed write are judged by their JSON too.
  const jsons = names.filter((n) => n.endsWith('.json') || /^\..+\.json\.[0-9a-f-]+\.tmp$/.test(n));
  for (const json of jsons) {
    if ((await accountOf(join(dir, json))) !== accountId) continue;
    const base = json.startsWith('.')
      ? json.slice(1).replace(/\.json\.[0-9a-f-]+\.tmp$/, '')
      : json.replace(/\.json$/, '');
    const twins = names.filter((n) => n === `${base}.eml` || (n.startsWith(`.${base}.eml.`) && n.endsWith('.tmp')));
    for (const file of [...twins, json]) {
      await rm(join(dir, file), { force: true });
      deleted += 1;
    }
  }
  return deleted;
}
