import type { Collection, Db, Filter } from 'mongodb';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { auditLookupIds, toAuditEntry } from '../audit/auditProjection.js';
import { clampFirst, decodeCursor, encodeCursor, pageOf, totalIfComplete } from '../paging.js';
import type { AuditEntry, ProjectionStore, UserView } from '../readModel.js';
import { COUNT_CAP } from '../users/userSearch.js';
import { statusOf } from '../readModel.js';
import { emailKey, nameKey } from '../users/userKeys.js';
import { evolveUser, userIdOf } from '../users/userProjection.js';
import { projectorName } from '../versioned.js';
import { toAuditDoc, toUserDoc, type AuditDoc, type CheckpointDoc, type UserDoc } from './mongoDocs.js';
import {
  appliesGuardsAtomically,
  bulkWriteInChunks,
  createIndexesOneByOne,
  insertNew,
  writeSkippingDuplicates,
} from './mongoErrors.js';
import { auditFilter, userFilter } from './mongoFilters.js';
import { findByIds } from './mongoByIds.js';
import { backfillSearchKeys } from './mongoSearch.js';
import { eraseMongoAudit } from './mongoAuditErasure.js';
import { fencedCheckpointUpdate, refuseIfFencedOff } from './mongoCheckpoints.js';

export const projectionCollections = (version: number) => ({ users: `users_v${version}`, audit: `audit_v${version}` });

/** One index per query the API makes; the names say which. */
async function ensureIndexes(users: Collection<UserDoc>, audit: Collection<AuditDoc>) {
  await createIndexesOneByOne(users, [
    { key: { organizationId: 1, nameKey: 1, _id: 1 }, name: 'org_name' },
    { key: { organizationId: 1, searchKeys: 1, nameKey: 1, _id: 1 }, name: 'org_search' },
    { key: { organizationId: 1, extension: 1 }, name: 'org_extension' },
    { key: { email: 1 }, name: 'email' },
    { key: { secondaryEmail: 1 }, name: 'secondary_email' },
    { key: { organizationId: 1, bulkId: 1 }, name: 'org_bulk' },
    { key: { expiresMs: 1 }, name: 'reminder_due' },
    { key: { organizationId: 1, 'view.role': 1 }, name: 'org_role' },
  ]);
  await createIndexesOneByOne(audit, [
    { key: { organizationId: 1, seq: -1 }, name: 'org_seq' },
    { key: { accountId: 1, seq: -1 }, name: 'account_seq' },
    { key: { organizationId: 1, type: 1, seq: -1 }, name: 'org_type_seq' },
    { key: { actorId: 1, seq: -1 }, name: 'actor_seq' },
    { key: { organizationId: 1, occurredMs: 1 }, name: 'org_occurred' },
  ]);
}

const userCursor = (user: UserView) => encodeCursor([nameKey(user.name), user.id]);
const defined = <T>(value: T | undefined): value is T => value !== undefined;

/**
 * One projection version on MongoDB. Without transactions a batch is applied in steps — users and
 * audit entries (written side by side), then the checkpoint — and a crash between them leaves work
 * that the redelivered batch repeats harmlessly. Round trips per batch are bounded whatever its
 * size: the checkpoint read, one read of the batch's users (see `findByIds`), one insert and one
 * replace batch of users, one insert of audit entries, then the checkpoint write:
 * - a user document is only replaced by one with a higher stream revision (on MongoDB the filter
 *   carries the guard; when it fails the upsert hits the `_id` and the duplicate key means "already
 *   newer"; on FerretDB, where that filter is a collection scan and not atomic anyway, the revision
 *   read with the batch is compared instead); a new one is inserted, and if it exists after all,
 *   replaced under the same guard;
 * - an audit entry's `_id` is its event id, so inserting it again is a no-op;
 * - audit order is `seq`, kept in the checkpoint document: the n-th audited event after a checkpoint
 *   always gets `checkpoint.seq + n`, so a redelivered batch gives every entry the seq it got before,
 *   and seq grows with global event order. The checkpoint (position + seq) is one document, so both
 *   move together, after the batch.
 */
export function openMongoVersion(db: Db, version: number): ProjectionStore {
  const names = projectionCollections(version);
  const users = db.collection<UserDoc>(names.users);
  const audit = db.collection<AuditDoc>(names.audit);
  const checkpoints = db.collection<CheckpointDoc>('checkpoints');
  const name = projectorName(version);
  // Created by the writer (the projector holding the lease, or a rebuild) on its first batch, not by
  // every API instance that reads: reads of a collection not there yet simply find nothing.
  let indexed: Promise<void> | undefined;
  let atomicGuard = true;
  const writable = () =>
    (indexed ??= ensureIndexes(users, audit)
      .then(() => backfillSearchKeys(users))
      .then(async () => {
        atomicGuard = await appliesGuardsAtomically(db);
      })
      .catch((error: unknown) => {
        indexed = undefined;
        throw error;
      }));

  const total = async <T extends UserDoc | AuditDoc>(
    collection: Collection<T>,
    filter: Filter<T>,
    fetched: number,
    first: number,
    after: string | undefined,
  ) => totalIfComplete(fetched, first, after) ?? collection.countDocuments(filter);

  /** Reads the batch's users (one round trip's wait) and evolves them; `write` stores what changed. */
  async function evolveUsers(events: RecordedEvent[]) {
    const ids = [...new Set([...events.map(userIdOf).filter(defined), ...auditLookupIds(events)])];
    const docs = new Map<string, UserView | null>(ids.map((id) => [id, null]));
    const found = new Set<string>();
    for (const doc of await findByIds(users, ids, { projection: { view: 1 } })) {
      docs.set(doc._id, doc.view);
      found.add(doc._id);
    }
    const changed = new Set<string>();
    for (const event of events) {
      const id = userIdOf(event);
      if (id === undefined) continue;
      const before = docs.get(id) ?? null;
      const after = evolveUser(before, event);
      if (after === before) continue;
      docs.set(id, after);
      changed.add(id);
    }
    // A document that was not there is inserted (an `_id` lookup is all FerretDB can push down, and
    // an insert needs none); one that was there, or appeared meanwhile, gets the guarded replace.
    // One insert and one ordered replace batch per batch of events, each skipped when empty.
    async function write() {
      const created = [...changed].filter((id) => !found.has(id)).map((id) => toUserDoc(docs.get(id)!));
      const raced = new Set((await insertNew(users, created)).map((i) => created[i]!._id));
      const replaced = [...changed]
        .filter((id) => found.has(id) || raced.has(id))
        .map((id) => toUserDoc(docs.get(id)!));
      if (atomicGuard) {
        await writeSkippingDuplicates(
          users,
          replaced.map((doc) => ({
            replaceOne: { filter: { _id: doc._id, revision: { $lt: doc.revision } }, replacement: doc, upsert: true },
          })),
        );
        return;
      }
      // FerretDB: every filter but a lone `_id` decodes the whole collection, and a guarded replace is
      // a find and a write in two steps anyway, so the guard is checked here instead. The documents
      // read above were compared by `evolveUser`; one inserted by someone else meanwhile is read
      // again. Only the lease holder writes (fenced), so nothing else moves them in between.
      const newer = new Map(
        (await findByIds(users, [...raced], { projection: { revision: 1 } })).map((d) => [d._id, d.revision]),
      );
      const writes = replaced
        .filter((doc) => (newer.get(doc._id) ?? -1) < doc.revision)
        .map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } }));
      await bulkWriteInChunks(users, writes, { ordered: false });
    }
    return { lookup: (id: string) => docs.get(id) ?? undefined, write };
  }

  async function applyAudit(events: RecordedEvent[], lookup: (id: string) => UserView | undefined, seq: number) {
    const entries = events
      .flatMap((event) => toAuditEntry(event, lookup) ?? [])
      .map((e, i) => toAuditDoc(e, seq + i + 1));
    // Already stored (a redelivered batch): the duplicate is skipped, and it kept the same seq.
    await insertNew(audit, entries);
    return entries.length;
  }

  return {
    async apply(events, generation) {
      const last = events[events.length - 1];
      if (!last) return;
      await writable();
      const stored = await checkpoints.findOne({ _id: name });
      // Fencing: a stale lease holder is turned away before it writes anything, and the checkpoint
      // update below is conditional on it. Not one atomic step (no transactions): a holder paused
      // between the two can still write users and audit entries of a batch whose checkpoint is then
      // refused; those writes are the revision- and id-guarded ones a replay makes anyway.
      refuseIfFencedOff('FENCE-m5Rt3', stored, generation);
      const seq = stored?.seq ?? 0;
      const evolved = await evolveUsers(events);
      // Users and audit entries are written side by side: each write is replay-safe on its own, and
      // both have landed before the checkpoint moves.
      const [, audited] = await Promise.all([evolved.write(), applyAudit(events, evolved.lookup, seq)]);
      await eraseMongoAudit(audit, events);
      const saved = { position: last.position, seq: seq + audited };
      if (generation === undefined) await checkpoints.updateOne({ _id: name }, { $set: saved }, { upsert: true });
      else await fencedCheckpointUpdate(db.collection('checkpoints'), name, saved, generation, 'FENCE-m5Rt4');
    },
    async checkpoint() {
      return (await checkpoints.findOne({ _id: name }))?.position;
    },
    async claim(generation) {
      await fencedCheckpointUpdate(db.collection('checkpoints'), name, {}, generation, 'FENCE-m5Rt5');
    },
    users: {
      // By `_id` alone, the organization checked here: the one filter FerretDB answers without
      // decoding the whole collection (see `findByIds`).
      async get(organizationId, id) {
        const doc = await users.findOne({ _id: id });
        return doc?.organizationId === organizationId ? doc.view : undefined;
      },
      async getMany(organizationId, ids) {
        const found = await findByIds(users, ids);
        const byId = new Map(found.filter((doc) => doc.organizationId === organizationId).map((d) => [d._id, d.view]));
        return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
      },
      async search(query) {
        const first = clampFirst(query.first);
        let after: { name: string; id: string } | undefined;
        if (query.after !== undefined) {
          const [name, id] = decodeCursor(query.after, ['string', 'string'] as const);
          after = { name, id };
        }
        const docs = await users
          .find(userFilter(query, after))
          .sort({ nameKey: 1, _id: 1 })
          .limit(first + 1)
          .toArray();
        const total =
          totalIfComplete(docs.length, first, query.after) ??
          (await users.countDocuments(userFilter(query), { limit: COUNT_CAP + 1 }));
        const page = pageOf(
          docs.map((d) => d.view),
          first,
          Math.min(total, COUNT_CAP),
          userCursor,
        );
        return { ...page, totalCountIsExact: total <= COUNT_CAP };
      },
      async matchingIds(query, limit) {
        // limit(0) means "no limit" to MongoDB; SQL's LIMIT 0 means none
        if (limit <= 0) return [];
        const docs = await users
          .find(userFilter(query), { projection: { _id: 1 } })
          .sort({ nameKey: 1, _id: 1 })
          .limit(limit)
          .toArray();
        return docs.map((d) => d._id);
      },
      async dueForReminder(now, withinMs, limit) {
        const from = now.getTime();
        const docs = await users
          .find(
            { completedAt: null, deactivatedAt: null, reminded: null, expiresMs: { $gt: from, $lte: from + withinMs } },
            { projection: { _id: 1, organizationId: 1 } },
          )
          .sort({ expiresMs: 1 })
          .limit(Math.max(1, limit))
          .toArray();
        return docs.map((d) => ({ id: d._id, organizationId: d.organizationId }));
      },
      async statusCounts(organizationId, now) {
        const counts = { NOT_INVITED: 0, INVITED: 0, INVITE_EXPIRED: 0, ACTIVE: 0, DEACTIVATED: 0 };
        // One count per status: FerretDB v1 groups only by plain fields, and the status is derived.
        for (const status of Object.keys(counts) as (keyof typeof counts)[]) {
          counts[status] = await users.countDocuments(userFilter({ organizationId, status: [status], now }));
        }
        return counts;
      },
      async idsWithRole(organizationId, role) {
        // Rare (a role change or deactivation of a manager): the organization's documents are read, not indexed.
        const docs = await users.find({ organizationId, 'view.role': role }, { projection: { _id: 1 } }).toArray();
        return docs.map((d) => d._id);
      },
      async ownersOfEmail(email, now) {
        const key = emailKey(email);
        const docs = await users
          .find({ $or: [{ email: key }, { secondaryEmail: key }] })
          .sort({ organizationId: 1, _id: 1 })
          .toArray();
        return docs.map(({ view }) => ({
          accountId: view.id,
          organizationId: view.organizationId,
          loginName: view.loginName,
          status: statusOf(view, now),
        }));
      },
      async bulkProgress(organizationId, bulkId) {
        // Counts each user's *last* email, as the SQLite adapter does (see there).
        const counts = await users
          .aggregate<{ _id: string | null; n: number }>([
            { $match: { organizationId, bulkId } },
            { $group: { _id: '$lastStatus', n: { $sum: 1 } } },
          ])
          .toArray();
        const n = (status: string) => counts.find((c) => c._id === status)?.n ?? 0;
        const total = counts.reduce((sum, c) => sum + c.n, 0);
        return { total, pending: n('PENDING'), delivered: n('DELIVERED'), failed: n('FAILED') };
      },
    },
    audit: {
      async list(query) {
        const first = clampFirst(query.first);
        const filter = auditFilter(query);
        let page: Filter<AuditDoc> = filter;
        if (query.after !== undefined) {
          const [afterSeq] = decodeCursor(query.after, ['number'] as const);
          page = { $and: [filter, { seq: { $lt: afterSeq } }] };
        }
        const docs = await audit
          .find(page)
          .sort({ seq: -1 })
          .limit(first + 1)
          .toArray();
        const totalCount = await total(audit, filter, docs.length, first, query.after);
        const paged = pageOf(docs, first, totalCount, (doc) => encodeCursor([doc.seq]));
        return {
          ...paged,
          edges: paged.edges.map(({ cursor, node }) => ({ cursor, node: JSON.parse(node.entry) as AuditEntry })),
        };
      },
    },
  };
}

export async function dropMongoVersion(db: Db, version: number) {
  const names = projectionCollections(version);
  for (const collection of [names.users, names.audit]) {
    await db.dropCollection(collection).catch(() => false);
  }
  await db.collection<CheckpointDoc>('checkpoints').deleteOne({ _id: projectorName(version) });
}
