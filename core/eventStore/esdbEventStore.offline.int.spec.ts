import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createEsdbEventStore } from './esdbEventStore.js';
import { WrongExpectedRevisionError } from './eventStore.js';

/**
 * The real client against an address where no EventStoreDB listens — what this machine can check
 * without a server: failures surface, and a subscription keeps resubscribing with backoff and logs it.
 * The contract suite runs against the protocol stand-in in `esdbStandIn.int.spec.ts`, and against a live
 * server in `esdbEventStore.int.spec.ts` (needs EVENTSTORE_URL).
 */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const waitFor = async (check: () => boolean, what: string, timeoutMs = 10_000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('given no EventStoreDB at the configured address', () => {
  it('ping and appends reject (not as a revision conflict)', async () => {
    const store = createEsdbEventStore({
      connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false`,
      log: { info() {}, warn() {}, error() {} },
    });
    try {
      await expect(store.ping()).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED/);
      const append = store.appendToStream('account-x', [
        {
          id: '6f1c2b0e-4d1a-4c8e-9f57-0b6d1f0a9c11',
          type: 'Something',
          data: {},
          metadata: { occurredAt: '2026-11-26T09:00:00Z', actor: 'system', correlationId: 'c' },
        },
      ]);
      await expect(append).rejects.toThrow();
      await expect(append).rejects.not.toBeInstanceOf(WrongExpectedRevisionError);
    } finally {
      await store.close();
    }
  });

  it('a subscription logs each drop and retries with a growing delay until closed', async () => {
    const warnings: Record<string, unknown>[] = [];
    const store = createEsdbEventStore({
      connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false`,
      log: { info() {}, error() {}, warn: (obj) => warnings.push(obj as Record<string, unknown>) },
      resubscribeBackoff: { initialMs: 20, maxMs: 1000 },
    });
    const subscription = store.subscribe({ after: '100:100', onEvents: async () => {} });
    await waitFor(() => warnings.length >= 3, 'three logged drops');
    await subscription.close();
    await store.close();
    expect(warnings.slice(0, 3).map((w) => [w.after, w.delayMs])).toEqual([
      ['100:100', 20],
      ['100:100', 40],
      ['100:100', 80],
    ]);
    expect(String(warnings[0]!.err)).toMatch(/UNAVAILABLE/);
  });
});

describe('given production connection strings (credentials, TLS, a cluster found by DNS or gossip)', () => {
  const log = { info() {}, warn() {}, error() {} };

  it('accepts them as the client parses them, without connecting until used', async () => {
    for (const connectionString of [
      'esdb+discover://keyturn:s3cret-pw@cluster.example.com:2113?tls=true',
      'esdb://keyturn:s3cret-pw@db1.example.com:2113,db2.example.com:2113,db3.example.com:2113?tls=true&tlsVerifyCert=true&nodePreference=leader',
      'esdb://127.0.0.1:2113?tls=false',
    ]) {
      await createEsdbEventStore({ connectionString, log }).close();
    }
  });

  it('refuses a malformed one at start-up with the client’s reason, never repeating the password', () => {
    const start = (connectionString: string) => () => createEsdbEventStore({ connectionString, log });
    expect(start('esdb://keyturn:s3cret-pw@db1.example.com:2113?tls=maybe')).toThrow(/expected true or false/);
    expect(start('esdb://keyturn:s3cret-pw@db1.example.com:2113?tls=maybe')).not.toThrow(/s3cret-pw/);
    expect(start('esdb://keyturn:s3cret-pw@db1.example.com:2113?nodePreference=nowhere')).toThrow(/expected leader/);
  });
});
