import type { Leases, ProjectionStore, ProjectionVersions, ReadModel } from './readModel.js';

/** The checkpoint name of one projection version; a rebuild's version never shares the live one's. */
export const projectorName = (version: number) => `read-model-v${version}`;

/** The lease every projector process (projections + email reactor) competes for. */
export const PROJECTOR_LEASE = 'projector';

export interface VersionRecord {
  active: number;
  requested?: number;
}

/** What an adapter supplies; `versionedReadModel` turns it into the port. */
export interface VersionedParts {
  readRecord(): Promise<VersionRecord>;
  writeRecord(record: VersionRecord): Promise<void>;
  /** the store of one version, created on first use and kept (dropping forgets it) */
  open(version: number): Promise<ProjectionStore>;
  drop(version: number): Promise<void>;
  sessions: ReadModel['sessions'];
  leases: Leases;
  close(): Promise<void>;
  /** how long reads may keep using the version they last saw (default 1 s) */
  versionRefreshMs?: number;
}

/**
 * Reads follow the active version, re-checked at most every `versionRefreshMs` (so reads stay on the
 * old version until shortly after a switch); `apply` and `checkpoint` always ask, since the projector
 * and the read-your-write wait must not act on a stale version. `checkpoint` refreshes what reads use.
 */
export function versionedReadModel(parts: VersionedParts): ReadModel {
  const refreshMs = parts.versionRefreshMs ?? 1000;
  let seen: { version: number; at: number } | undefined;
  const fresh = async () => {
    const { active } = await parts.readRecord();
    seen = { version: active, at: Date.now() };
    return parts.open(active);
  };
  const current = async () => (seen && Date.now() - seen.at < refreshMs ? parts.open(seen.version) : fresh());

  const versions: ProjectionVersions = {
    active: async () => (await parts.readRecord()).active,
    requested: async () => (await parts.readRecord()).requested,
    async request(version) {
      const { active } = await parts.readRecord();
      await parts.writeRecord({ active, requested: version });
    },
    async activate(version) {
      await parts.open(version);
      await parts.writeRecord({ active: version });
      seen = { version, at: Date.now() };
    },
    open: (version) => parts.open(version),
    async drop(version) {
      const record = await parts.readRecord();
      if (record.active === version) throw new Error(`Version ${version} is active and cannot be dropped.`);
      await parts.drop(version);
    },
  };

  return {
    apply: async (events, generation) => (await fresh()).apply(events, generation),
    checkpoint: async () => (await fresh()).checkpoint(),
    claim: async (generation) => (await fresh()).claim(generation),
    users: {
      get: async (organizationId, id) => (await current()).users.get(organizationId, id),
      getMany: async (organizationId, ids) => (await current()).users.getMany(organizationId, ids),
      search: async (query) => (await current()).users.search(query),
      matchingIds: async (query, limit) => (await current()).users.matchingIds(query, limit),
      dueForReminder: async (now, withinMs, limit) => (await current()).users.dueForReminder(now, withinMs, limit),
      statusCounts: async (organizationId, now) => (await current()).users.statusCounts(organizationId, now),
      idsWithRole: async (organizationId, role) => (await current()).users.idsWithRole(organizationId, role),
      ownersOfEmail: async (email, now) => (await current()).users.ownersOfEmail(email, now),
      bulkProgress: async (organizationId, bulkId) => (await current()).users.bulkProgress(organizationId, bulkId),
    },
    audit: {
      list: async (query) => (await current()).audit.list(query),
    },
    versions,
    sessions: parts.sessions,
    leases: parts.leases,
    close: () => parts.close(),
  };
}
