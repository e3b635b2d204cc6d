import type { AnyBulkWriteOperation, Collection, Filter } from 'mongodb';
import type { UserView } from '../readModel.js';
import { nameKey } from '../users/userKeys.js';
import type { SearchPlan } from '../users/userSearch.js';
import type { UserDoc } from './mongoDocs.js';
import { bulkWriteInChunks } from './mongoErrors.js';

/**
 * What a user document carries so that a search is answered from one multikey index,
 * `{ organizationId, searchKeys, nameKey, _id }`: with one key fixed, the index lists its users in
 * page order, so MongoDB reads a page (and merges the `$or` of name, extension) without sorting.
 * - `n…` every piece of 1 to 3 characters of every word of the name (words split on whitespace, as
 *   search words are, so a search word always lies inside one);
 * - `e…` every prefix of the extension;
 * - `x…` the extension itself, for a login name.
 * A short search word is one key; a longer one needs its trigrams (every third and the last cover
 * it) and an escaped, literal `$regex` that only ever runs on the documents those keys select.
 */
export function searchKeys(view: Pick<UserView, 'name' | 'extension'>): string[] {
  const keys = new Set<string>();
  for (const word of nameKey(view.name).split(/\s+/)) {
    const chars = Array.from(word);
    for (let i = 0; i < chars.length; i++) {
      for (let k = 1; k <= 3 && i + k <= chars.length; k++) keys.add(`n${chars.slice(i, i + k).join('')}`);
    }
  }
  for (let k = 1; k <= view.extension.length; k++) keys.add(`e${view.extension.slice(0, k)}`);
  keys.add(`x${view.extension}`);
  return [...keys];
}

/**
 * Every regex metacharacter escaped: what someone types is matched as plain text, and an escaped
 * literal has no quantifier or alternation, so matching stays linear in the name's length.
 */
export const literalPattern = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

function wordKeys(word: string): string[] {
  const chars = Array.from(word);
  if (chars.length <= 3) return [`n${word}`];
  const starts = new Set<number>();
  for (let i = 0; i + 3 < chars.length; i += 3) starts.add(i);
  starts.add(chars.length - 3);
  return [...starts].map((i) => `n${chars.slice(i, i + 3).join('')}`);
}

/** The ways a search matches, each a filter the index answers with one key fixed. */
export function searchClauses(plan: SearchPlan): Filter<UserDoc>[] {
  if (plan.login) {
    return [
      { searchKeys: `x${plan.login.extension}`, 'view.loginName': { $regex: `^${literalPattern(plan.login.prefix)}` } },
    ];
  }
  const long = plan.words.filter((word) => Array.from(word).length > 3);
  const byName: Filter<UserDoc> = { searchKeys: { $all: [...new Set(plan.words.flatMap(wordKeys))] } };
  if (long.length) byName.$and = long.map((word) => ({ nameKey: { $regex: literalPattern(word) } }));
  return plan.extensionPrefix === undefined ? [byName] : [byName, { searchKeys: `e${plan.extensionPrefix}` }];
}

/**
 * Gives documents projected before search keys existed their keys (once, by the writer, before it
 * writes): the revision in the filter leaves a document the projector replaced meanwhile alone.
 */
export async function backfillSearchKeys(users: Collection<UserDoc>) {
  const missing = users.find({ searchKeys: { $exists: false } }, { projection: { _id: 1, revision: 1, view: 1 } });
  let batch: AnyBulkWriteOperation<UserDoc>[] = [];
  for await (const doc of missing) {
    batch.push({
      updateOne: {
        filter: { _id: doc._id, revision: doc.revision },
        update: { $set: { searchKeys: searchKeys(doc.view) } },
      },
    });
    if (batch.length === 1000) {
      await bulkWriteInChunks(users, batch, { ordered: false });
      batch = [];
    }
  }
  if (batch.length) await bulkWriteInChunks(users, batch, { ordered: false });
}
