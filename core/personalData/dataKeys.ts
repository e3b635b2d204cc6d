/**
 * The data key store: one random 256-bit key per account, which encrypts the personal fields of the
 * account's events (see `personalDataStore.ts`). Erasing an account deletes its key, and with it
 * every copy of the person's data in the event store, backups of it included (crypto-shredding).
 *
 * Not a projection: nothing rebuilds it from events, and a rebuild never drops it.
 */
export interface DataKeys {
  /**
   * The keys of these accounts, each made on first need; `null` for an erased account, which never
   * gets a key again. Race-safe across processes: two that ask at once get the same key.
   */
  obtain(accountIds: readonly string[]): Promise<Map<string, Buffer | null>>;
  /**
   * The keys there are, in one round trip: `null` for an erased account; an account missing from the
   * map never had a key (or the store lost it).
   */
  find(accountIds: readonly string[]): Promise<Map<string, Buffer | null>>;
  /** Deletes the account's key for good. True when a key was deleted now; false when there was none. */
  erase(accountId: string): Promise<boolean>;
  /**
   * Drops the account's key from this process's cache: an erasure seen in the events (made by
   * another process, perhaps) must not wait for the cache to expire.
   */
  forget(accountId: string): void;
  close(): Promise<void>;
}

/** A stored key as the adapters keep it: wrapped (see `keyWrapping.ts`); `null` once erased. */
export type WrappedKey = Buffer | null;

/**
 * What an adapter (SQLite table, MongoDB collection) implements: opaque wrapped keys by account id.
 * The wrapping is done once, in `createDataKeys`, so no adapter ever sees a key in clear.
 */
export interface DataKeyStorage {
  /**
   * Stores each key whose account has no row yet (insert-if-absent); existing rows stay as they are.
   * Answers the accounts that had a row already: for those the stored key (or erasure mark) stands.
   */
  insertIfAbsent(keys: readonly { accountId: string; wrapped: Buffer }[], at: Date): Promise<string[]>;
  /** one query for all of them; accounts without a row are left out */
  find(accountIds: readonly string[]): Promise<Map<string, WrappedKey>>;
  /** replaces the key with the erasure mark (a row is made if there was none); true when a key was there */
  erase(accountId: string, at: Date): Promise<boolean>;
  close(): Promise<void>;
}

/** A wrapped key that does not open: the server secret is not the one the keys were made with. */
export class DataKeyError extends Error {
  constructor(
    /** stable id, findable from a log line */
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = 'DataKeyError';
  }
}
