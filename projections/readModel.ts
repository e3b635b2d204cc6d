import type { Position, RecordedEvent } from '../core/eventStore/eventStore.js';
import type { EmailKind, Role } from '../core/accounts/events.js';

/**
 * The read-model port: SQLite (embedded) and MongoDB adapters implement it and run the same contract
 * suite. Everything here is derived from events and can be dropped and rebuilt.
 */
export type AccountStatus = 'NOT_INVITED' | 'INVITED' | 'INVITE_EXPIRED' | 'ACTIVE' | 'DEACTIVATED';
export type EmailDeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface LastEmail {
  kind: EmailKind;
  refId: string;
  status: EmailDeliveryStatus;
  to: string[];
  /** when it was requested (PENDING) or when its outcome was recorded */
  at: string;
  error?: string;
  bulkId?: string;
}

export interface UserView {
  id: string;
  organizationId: string;
  name: string;
  extension: string;
  loginName: string;
  email: string;
  secondaryEmail?: string;
  role: Role;
  welcomeEmailSentAt?: string;
  setupLinkExpiresAt?: string;
  setupCompletedAt?: string;
  lastEmail?: LastEmail;
  /**
   * How many times the credentials changed (password changes): a session opened at a lower version
   * is over. Absent on views projected before it existed (read as 0).
   */
  credentialVersion?: number;
  /** when the current welcome link's reminder was sent (a new welcome email clears it) */
  welcomeReminderSentAt?: string;
  /** set while the account is deactivated (its status is then DEACTIVATED) */
  deactivatedAt?: string;
  /** set once the account is erased: the view keeps no personal data ("Erased user", no emails) */
  erasedAt?: string;
  /** stream revision of the last applied event: redelivery of an older one is a no-op */
  revision: number;
}

/** INVITE_EXPIRED is derived at query time from the link expiry. */
export function statusOf(
  user: Pick<UserView, 'setupCompletedAt' | 'setupLinkExpiresAt' | 'deactivatedAt'>,
  now: Date,
): AccountStatus {
  if (user.deactivatedAt) return 'DEACTIVATED';
  if (user.setupCompletedAt) return 'ACTIVE';
  if (!user.setupLinkExpiresAt) return 'NOT_INVITED';
  return Date.parse(user.setupLinkExpiresAt) > now.getTime() ? 'INVITED' : 'INVITE_EXPIRED';
}

export interface UserQuery {
  organizationId: string;
  /**
   * words of the name (case-insensitive, any part, all of them), an extension prefix or a login name
   * (see `SearchPlan` in `users/userSearch.ts`); plain data, never a pattern
   */
  search?: string;
  status?: AccountStatus[];
  /** only pending users whose welcome link expires within this many ms of `now` (and has not expired) */
  expiresWithinMs?: number;
  first: number;
  /** opaque cursor from a previous page */
  after?: string;
  now: Date;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  totalCount: number;
  edges: Edge<T>[];
  hasNextPage: boolean;
  endCursor?: string;
}

/** A page of a users search, whose count stops at `COUNT_CAP` (see `users/userSearch.ts`). */
export interface UserPage extends Page<UserView> {
  /** false when more than `COUNT_CAP` users match: `totalCount` is then `COUNT_CAP` ("1,000+") */
  totalCountIsExact: boolean;
}

export interface AuditEntry {
  /** the event id */
  id: string;
  position: Position;
  type: string;
  occurredAt: string;
  organizationId: string;
  /** subject account, denormalised at projection time */
  accountId?: string;
  accountName?: string;
  accountExtension?: string;
  actorId: string;
  actorName?: string;
  /** event data with secrets removed */
  data: Record<string, unknown>;
}

export interface AuditQuery {
  organizationId: string;
  accountId?: string;
  types?: string[];
  actorId?: string;
  from?: Date;
  to?: Date;
  first: number;
  after?: string;
}

export interface BulkProgress {
  total: number;
  pending: number;
  delivered: number;
  failed: number;
}

export interface EmailOwner {
  accountId: string;
  organizationId: string;
  loginName: string;
  status: AccountStatus;
}

export interface SessionRecord {
  /** sha-256 of the bearer token: the token itself is never stored */
  tokenHash: string;
  /**
   * A random id, never derived from the token: what the user sees and revokes a session by. Rows
   * stored before it existed are given one by the adapter on first read.
   */
  id: string;
  accountId: string;
  organizationId: string;
  /** the account's role when the session was opened; requests take the role from the user view */
  role: Role;
  /** the account's credential version when the session was opened (see `UserView.credentialVersion`) */
  credentialVersion: number;
  createdAt: string;
  expiresAt: string;
  /** a readable summary of the browser ("Chrome on Windows"), never the raw header */
  userAgent: string;
  /** when a request last used it, to the minute (see `touch`); `createdAt` on older rows */
  lastSeenAt: string;
}

/** What a session that came without a User-Agent (or from before they were kept) shows. */
export const UNKNOWN_BROWSER = 'Unknown browser';

/**
 * One version of the derived tables or collections (`users_v1`, `audit_v1`, …) with its own checkpoint.
 * The projector fills the active one; a rebuild fills the next one beside it.
 */
export interface ProjectionStore {
  /**
   * Applies every projection to a batch, then saves the checkpoint (atomically where the store can).
   * With a `generation` (the lease's fencing token, see `Leases`) the batch is refused with
   * `StaleLeaseError` when the checkpoint was written or claimed under a newer one: SQLite refuses
   * the whole batch in its transaction; MongoDB checks before writing and makes the checkpoint update
   * conditional (see `openMongoVersion`). Without one (a rebuild filling a version no projector
   * writes yet, tests) nothing is checked and the fence is left as it is.
   */
  apply(events: RecordedEvent[], generation?: number): Promise<void>;
  checkpoint(): Promise<Position | undefined>;
  /**
   * Raises this version's fence to `generation` without moving its checkpoint; refused (as `apply`)
   * when a newer generation is there already. A new lease holder claims before it reads the
   * checkpoint, so a late write of the previous holder lands before that read, or is refused.
   */
  claim(generation: number): Promise<void>;

  users: {
    get(organizationId: string, id: string): Promise<UserView | undefined>;
    getMany(organizationId: string, ids: string[]): Promise<UserView[]>;
    search(query: UserQuery): Promise<UserPage>;
    /** ids of every user matching (bulk "all matching"), at most `limit` */
    matchingIds(query: Omit<UserQuery, 'first' | 'after'>, limit: number): Promise<string[]>;
    /**
     * Users of every organization whose welcome link expires within `withinMs` of `now` and has not
     * expired, who were not reminded of it: what the reminder scheduler works through, soonest first.
     */
    dueForReminder(now: Date, withinMs: number, limit: number): Promise<{ id: string; organizationId: string }[]>;
    /** how many of the organization's users are in each status as of `now` */
    statusCounts(organizationId: string, now: Date): Promise<Record<AccountStatus, number>>;
    /** ids of the organization's users with this role (the last-office-manager rule checks each on its stream) */
    idsWithRole(organizationId: string, role: Role): Promise<string[]>;
    /** accounts whose designated or second email is this address, in any organization */
    ownersOfEmail(email: string, now: Date): Promise<EmailOwner[]>;
    bulkProgress(organizationId: string, bulkId: string): Promise<BulkProgress>;
  };
  audit: {
    list(query: AuditQuery): Promise<Page<AuditEntry>>;
  };
}

/**
 * Which projection version is live. A rebuild fills version n+1 while reads stay on n, then either
 * switches itself (no projector holds the lease) or asks the running projector to switch: only the
 * lease holder writes to the active version, so the switch can never leave a gap.
 */
export interface ProjectionVersions {
  /** the version reads, `apply` and `checkpoint` use (1 until a rebuild switched) */
  active(): Promise<number>;
  /** the version a rebuild asked the projector to switch to, if any */
  requested(): Promise<number | undefined>;
  request(version: number): Promise<void>;
  /** makes `version` active and clears the request */
  activate(version: number): Promise<void>;
  /** one version, active or not, its tables or collections created if missing */
  open(version: number): Promise<ProjectionStore>;
  /** removes a version that is not active: its tables or collections and its checkpoint */
  drop(version: number): Promise<void>;
}

/** Who holds a lease, under which generation, until when (ms since the epoch). */
export interface LeaseState {
  holder: string;
  generation: number;
  expiresMs: number;
}

/**
 * A named lease with an expiry: one projector works, the others stand by until it lapses. Each
 * lease carries a generation, its fencing token: it grows every time the lease changes hands (taken
 * by another holder, or taken again after it lapsed or was released) and stays the same on renewal.
 * Every checkpoint write of the holder carries it, and the stores refuse a lower one than they saw.
 */
export interface Leases {
  /**
   * Takes or renews `name` for `holder` until `now + ttlMs` when it is free, lapsed or theirs
   * already: the generation it is held under, or undefined when someone else holds it.
   */
  acquire(name: string, holder: string, ttlMs: number, now: Date): Promise<number | undefined>;
  /** gives it up, if `holder` still has it: it lapses at once, and keeps its generation */
  release(name: string, holder: string): Promise<void>;
  /** the lease as stored (lapsed or not), or undefined when it was never taken */
  current(name: string): Promise<LeaseState | undefined>;
}

/** The active projection version, plus what is not derived from events and survives a rebuild. */
export interface ReadModel extends ProjectionStore {
  versions: ProjectionVersions;
  sessions: {
    create(session: SessionRecord): Promise<void>;
    get(tokenHash: string, now: Date): Promise<SessionRecord | undefined>;
    /** by the session's public id; unexpired only */
    getById(id: string, now: Date): Promise<SessionRecord | undefined>;
    /** the account's unexpired sessions, newest first */
    listForAccount(accountId: string, now: Date): Promise<SessionRecord[]>;
    delete(tokenHash: string): Promise<void>;
    /** ends one session, only if it is this account's; false when there was none such */
    deleteById(accountId: string, id: string): Promise<boolean>;
    deleteForAccount(accountId: string): Promise<void>;
    /** moves `lastSeenAt` forward to `at` (never back) */
    touch(id: string, at: Date): Promise<void>;
    /**
     * Ends the account's sessions opened before `before` (ISO time): the reaction to a credential
     * change. Sessions opened after the change survive a replay of it. `keep` names the one session
     * that goes on (the one a password was changed from): its credential version is raised to
     * `keep.credentialVersion` (never lowered), so the version check lets it through.
     */
    endOpenedBefore(
      accountId: string,
      before: string,
      keep?: { sessionId: string; credentialVersion: number },
    ): Promise<void>;
  };
  leases: Leases;
  close(): Promise<void>;
}
