import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { logged, startProcess as start, until, type Proc } from '../api/testing/processes.js';

interface Sample {
  position?: number;
  fence?: number;
  reactor?: number;
  reactorFence?: number;
}

/**
 * The embedded files as the processes leave them, read beside them (read-only): the lease, the
 * read model's checkpoint and its fence, the email reactor's, the head of the log, the projection.
 */
function stores(dataDir: string) {
  let readModel: Database.Database | undefined;
  let events: Database.Database | undefined;
  const rm = () => (readModel ??= new Database(join(dataDir, 'readmodel.db'), { readonly: true, fileMustExist: true }));
  const ev = () => (events ??= new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true }));
  const one = <T>(db: Database.Database, sql: string, ...params: unknown[]) =>
    db.prepare(sql).get(...params) as T | undefined;
  return {
    lease: () =>
      one<{ holder: string; generation: number }>(
        rm(),
        'SELECT holder, generation FROM leases WHERE name = ?',
        'projector',
      ),
    sample(): Sample {
      const position = one<{ position: string }>(
        rm(),
        'SELECT position FROM checkpoints WHERE name = ?',
        'read-model-v1',
      );
      const reactor = one<{ position: string }>(
        rm(),
        'SELECT position FROM subscriber_checkpoints WHERE name = ?',
        'email-reactor',
      );
      const fence = (name: string) =>
        one<{ generation: number }>(rm(), 'SELECT generation FROM checkpoint_fences WHERE name = ?', name);
      return {
        position: position && Number(position.position),
        fence: fence('read-model-v1')?.generation,
        reactor: reactor && Number(reactor.position),
        reactorFence: fence('email-reactor')?.generation,
      };
    },
    head: () => one<{ p: number }>(ev(), 'SELECT max(position) AS p FROM events')!.p,
    /** every projected row, in a stable order */
    projection: () => ({
      users: rm().prepare('SELECT id, revision, doc FROM users_v1 ORDER BY id').all(),
      audit: rm().prepare('SELECT seq, id, entry FROM audit_v1 ORDER BY seq').all(),
    }),
    close() {
      readModel?.close();
      events?.close();
    },
  };
}

describe('given two projector processes on one embedded data set, with a short lease', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-fencing-'));
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'info', PROJECTOR_LEASE_TTL: '2s', SEED_DEMO: 'false' };
  const running: Proc[] = [];
  const run = (entry: string, args: string[] = []) => {
    const p = start(entry, args, env);
    running.push(p);
    return p;
  };
  const files = stores(dataDir);
  afterAll(async () => {
    for (const p of running) {
      if (p.child.exitCode !== null) continue;
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
    files.close();
  });
  const createOrg = async (domain: string, extension: string) => {
    const org = run('scripts/orgCreate.ts', [
      '--name',
      domain,
      '--domain',
      domain,
      '--manager-name',
      'Mia Manager',
      '--manager-extension',
      extension,
      '--manager-email',
      `mia@${domain}.example`,
    ]);
    expect(await org.exited).toBe(0);
  };
  /** Everything in the log projected and handled by the reactor (whose outcomes are events too). */
  const caughtUp = () => {
    const head = files.head();
    const s = files.sample();
    return s.position === head && s.reactor === head ? s : undefined;
  };

  it(
    'a leader paused past the lease is replaced, and when it wakes its late writes are refused: nothing moves back',
    { timeout: 180_000 },
    async () => {
      await createOrg('acme', '100');
      const leader = run('scripts/projector.ts');
      const taken = await until(() => logged(leader, 'lease taken: working'), 'the first projector to take the lease');
      const standby = run('scripts/projector.ts');
      await until(() => logged(standby, 'projector started'), 'the second projector to start');
      expect(logged(standby, 'standing by: another process holds the lease')).toBeDefined();
      const first = await until(caughtUp, 'the leader to project and send the first organization');
      expect(first).toMatchObject({ fence: taken.generation, reactorFence: taken.generation });

      // Everything the store held from here on, as often as the test can look.
      const samples: Sample[] = [first];
      const sampler = setInterval(() => samples.push(files.sample()), 10);
      try {
        leader.child.kill('SIGSTOP');
        const takeover = await until(() => logged(standby, 'lease taken: working'), 'the standby to take over', 60_000);
        expect(takeover.generation).toBeGreaterThan(taken.generation!);
        expect(files.lease()).toEqual({ holder: takeover.holder, generation: takeover.generation });

        // New history while the old leader sleeps: only the new one can project it.
        await createOrg('bolt', '200');
        const second = await until(caughtUp, 'the new leader to project the second organization and record its email');
        expect(second).toMatchObject({ fence: takeover.generation, reactorFence: takeover.generation });
        const written = files.projection();

        leader.child.kill('SIGCONT');
        const fenced = await until(
          () => leader.lines().find((l) => l.msg?.startsWith('fenced off')),
          'the old leader to find itself fenced off',
        );
        expect(fenced.generation).toBe(taken.generation);
        await until(() => logged(leader, 'work stopped: standing by'), 'the old leader to stop its work');
        // It wrote nothing on waking: what the new leader wrote is all there is.
        expect(files.projection()).toEqual(written);
        expect(files.sample()).toEqual(second);
        expect(leader.lines().filter((l) => l.msg === 'lease taken: working')).toHaveLength(1);

        // The new leader goes on; the old one stands by.
        await createOrg('crux', '300');
        const third = await until(caughtUp, 'the new leader to project the third organization');
        expect(third).toMatchObject({ fence: takeover.generation, reactorFence: takeover.generation });
        expect(files.lease()).toMatchObject({ holder: takeover.holder });
      } finally {
        clearInterval(sampler);
      }

      // No checkpoint ever moved back, and no fence ever came down.
      const never = (key: keyof Sample) =>
        samples.map((s) => s[key] ?? 0).filter((value, i, all) => i > 0 && value < all[i - 1]!);
      expect({
        position: never('position'),
        fence: never('fence'),
        reactor: never('reactor'),
        reactorFence: never('reactorFence'),
      }).toEqual({ position: [], fence: [], reactor: [], reactorFence: [] });

      // Each manager's welcome went out once: the woken leader's reactor asked the lease before sending.
      const welcomes = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.json'));
      expect(welcomes).toHaveLength(3);

      for (const p of [leader, standby]) p.child.kill('SIGTERM');
      expect(await Promise.all([leader.exited, standby.exited])).toEqual([0, 0]);
    },
  );
});
