import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdapters } from '../api/adapters.js';
import { loadConfig } from '../api/config.js';
import { logged, startProcess, until, type Proc } from '../api/testing/processes.js';
import {
  freePort,
  graphqlData,
  importCsv,
  postGraphQL,
  setUpAndSignIn,
  staffCsv,
  welcomeAllNotInvited,
} from '../api/testing/service.js';
import { startPostmarkStandIn, type PostmarkStandIn } from '../core/email/postmarkStandIn.js';
import { silentLogger } from '../core/logger.js';
import { catchUp } from '../projections/projector.js';
import { createSqliteReadModel } from '../projections/sqlite/sqliteReadModel.js';
import { readOrganization } from '../projections/testing/readOrganization.js';
import { startFerretDb } from './ferretdb.mjs';

const TOKEN = 'multi-process-e2e-token';
const USERS = 500;
const MANAGER = 'mia@acme.example';
/** consecutive failed sign-ins per login name and address before the delay: low, so the test can reach it */
const SIGNIN_FAILURES = 3;

const isBulk = (to: string | undefined) => /^bulk\d+@acme\.example$/.test(to ?? '');

/**
 * The scaled-out deployment: two stateless APIs (`--api-only`) and two projectors on one data set —
 * SQLite events in one DATA_DIR, the read model, leases and rate-limit counters in FerretDB. The
 * Postmark stand-in runs in this process and answers every call 400 ms late, so the active
 * projector can be killed (SIGKILL) while Postmark holds a chunk of the bulk it has accepted.
 */
describe('given two APIs and two projectors on one data set, and the active projector killed mid-bulk', () => {
  const ferretDir = mkdtempSync(join(tmpdir(), 'keyturn-multi-ferret-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-multi-'));
  let ferret: Awaited<ReturnType<typeof startFerretDb>> | undefined;
  let standIn: PostmarkStandIn | undefined;
  let env: Record<string, string>;
  const running: Proc[] = [];
  const run = (entry: string, args: string[] = [], extra: Record<string, string> = {}) => {
    const p = startProcess(entry, args, { ...env, ...extra });
    running.push(p);
    return p;
  };
  let closeAdapters: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ferret = await startFerretDb({ port: 0, dataDir: ferretDir });
    standIn = await startPostmarkStandIn({ token: TOKEN, latencyMs: 400 });
    env = {
      DATA_DIR: dataDir,
      MONGODB_URL: ferret.url,
      MONGODB_DB: 'multiprocess',
      POSTMARK_SERVER_TOKEN: TOKEN,
      POSTMARK_API_URL: standIn.url,
      LOG_LEVEL: 'info',
      // Renewals are bounded by a fifth of it (at most 2 s): a 3 s lease is lost on a loaded machine.
      PROJECTOR_LEASE_TTL: '10s',
      SEED_DEMO: 'false',
      HOST: '127.0.0.1',
      RATE_LIMIT_SIGNIN_FAILURES: String(SIGNIN_FAILURES),
    };
  }, 300_000);
  afterAll(async () => {
    for (const p of running)
      if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid) process.kill(p.child.pid, 'SIGKILL');
    await closeAdapters?.();
    await standIn?.close();
    await ferret?.stop();
    rmSync(ferretDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'the standby finishes the bulk: one welcome per user, the read model a rebuild gives, one shared sign-in budget',
    { timeout: 240_000 },
    async () => {
      const org = run('scripts/orgCreate.ts', [
        '--json',
        '--name',
        'Acme',
        '--domain',
        'acme',
        '--manager-name',
        'Mia Manager',
        '--manager-extension',
        '100',
        '--manager-email',
        MANAGER,
      ]);
      expect(await org.exited).toBe(0);
      const organizationId = org.lines().find((l) => typeof l.organizationId === 'string')!.organizationId as string;

      /** Caught up with the whole log, the read model equals a fresh replay of it (in-memory SQLite). */
      const expectReadModelEqualsRebuild = async (users: number) => {
        const adapters = openAdapters(loadConfig(env), silentLogger);
        closeAdapters = () => adapters.close();
        await until(
          async () =>
            (await adapters.store.readAll({ after: await adapters.readModel.checkpoint(), maxCount: 1 })).length === 0,
          'the read model to have projected the whole log',
          60_000,
          250,
        );
        const fresh = createSqliteReadModel({ path: ':memory:' });
        try {
          await catchUp(adapters.store, fresh);
          const now = new Date();
          const projected = await readOrganization(adapters.readModel, organizationId, now);
          expect(projected.users).toHaveLength(users);
          expect(projected).toEqual(await readOrganization(fresh, organizationId, now));
        } finally {
          await fresh.close();
          await adapters.close();
          closeAdapters = undefined;
        }
      };

      const first = run('scripts/projector.ts');
      await until(() => logged(first, 'lease taken: working'), 'the first projector to take the lease');
      const second = run('scripts/projector.ts');
      await until(() => logged(second, 'projector started'), 'the second projector to start');
      expect(logged(second, 'standing by: another process holds the lease')).toBeDefined();

      const [portA, portB] = [await freePort(), await freePort()];
      const apis = [
        run('api/main.ts', ['--api-only'], { PORT: String(portA) }),
        run('api/main.ts', ['--api-only'], { PORT: String(portB) }),
      ];
      const [a, b] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`] as const;
      for (const base of [a, b]) {
        await until(
          () =>
            fetch(`${base}/healthz`)
              .then((r) => r.ok)
              .catch(() => false),
          `the API on ${base}`,
        );
      }
      for (const api of apis) {
        expect(await until(() => logged(api, 'keyturn is running'), 'the API’s start line')).toMatchObject({
          mode: 'api',
        });
      }

      // The active projector's reactor sends the manager's welcome through the stand-in.
      const welcome = await until(
        () => standIn!.messages.find((m) => m.Tag === 'welcome' && m.To === MANAGER && m.ErrorCode === 0),
        'the manager’s welcome',
      );
      const manager = await setUpAndSignIn(a, welcome.TextBody ?? '', '100@acme');
      // One sign-in budget for both APIs: failures for one login name alternate between them and trip it
      // at the configured count in total (per API, neither would have reached it).
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < SIGNIN_FAILURES + 2; i++) {
        const res = await postGraphQL(
          i % 2 === 0 ? a : b,
          'mutation { signIn(loginName: "200@acme", password: "Wrong-Password-1") { token } }',
        );
        codes.push(res.errors?.[0]?.extensions?.code);
      }
      expect(codes.slice(0, SIGNIN_FAILURES).every((c) => c !== undefined && c !== 'RATE_LIMITED')).toBe(true);
      expect(codes.slice(SIGNIN_FAILURES)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);

      expect(await importCsv(a, staffCsv(USERS, 'Bulk User', 4000, 'bulk'), manager)).toEqual({
        created: USERS,
        rejected: 0,
      });
      await expectReadModelEqualsRebuild(USERS + 1);
      const bulkId = await welcomeAllNotInvited(a, manager);

      // Postmark has taken a chunk of the bulk and not answered yet: the kill lands in that window.
      await until(
        () => standIn!.held() > 0 && standIn!.messages.some((m) => isBulk(m.To)),
        'a chunk of the bulk at the provider',
        60_000,
        5,
      );
      // The leader is whichever last logged taking the lease and has not stopped its work since.
      const leads = (p: Proc) =>
        p
          .lines()
          .filter((l) => l.msg === 'lease taken: working' || l.msg === 'work stopped: standing by')
          .at(-1)?.msg === 'lease taken: working';
      const [active, standby] = leads(first) ? [first, second] : [second, first];
      expect(leads(active) && !leads(standby)).toBe(true);
      process.kill(active.child.pid!, 'SIGKILL');
      await active.exited;
      const takenBefore = standby.lines().filter((l) => l.msg === 'lease taken: working').length;
      const acceptedBeforeKill = standIn!.messages.filter((m) => isBulk(m.To) && m.ErrorCode === 0).length;
      expect(acceptedBeforeKill).toBeGreaterThan(0);
      const bulkProgress = async () =>
        (
          await graphqlData(
            b,
            'query($id: ID!) { bulkWelcomeProgress(bulkId: $id) { delivered failed pending total } }',
            { id: bulkId },
            manager,
          )
        ).bulkWelcomeProgress as { delivered: number; failed: number; pending: number; total: number };
      // Accepted by Postmark, never answered to the dead projector: those outcomes are not recorded.
      expect((await bulkProgress()).delivered).toBeLessThan(USERS);

      // The standby takes over once the dead one's lease lapses, and finishes; API B reports it.
      await until(
        () => standby.lines().filter((l) => l.msg === 'lease taken: working').length > takenBefore,
        'the standby to take over',
        30_000,
      );
      let last: unknown;
      const progress = await until(
        async () => {
          const p = await bulkProgress();
          last = p;
          return p.pending === 0 && p.total === USERS ? p : undefined;
        },
        'every user of the bulk to have an outcome, through API B',
        150_000,
        // Each progress read scans the users on FerretDB: polled often, it starves the projector.
        2_000,
      ).catch(async (error: Error) => {
        const tail = standby
          .lines()
          .slice(-20)
          .map((l) => JSON.stringify(l));
        const adapters = openAdapters(loadConfig(env), silentLogger);
        const at = await adapters.readModel.checkpoint();
        const behind = (await adapters.store.readAll({ after: at, maxCount: 10_000 })).length;
        await adapters.close();
        throw new Error(
          `${error.message}; last ${JSON.stringify(last)}; read model at ${at}, ${behind} events behind; the standby logged:\n${tail.join('\n')}`,
        );
      });
      expect(progress).toEqual({ delivered: USERS, failed: 0, pending: 0, total: USERS });
      // What the standby found at Postmark and recorded instead of sending: what it would have sent twice.
      const foundAtPostmark = standby
        .lines()
        .filter((l) => l.msg === 'emails in doubt were already sent: recorded, not sent again')
        .reduce((sum, l) => sum + ((l.accepted as number | undefined) ?? 0), 0);
      expect(foundAtPostmark).toBeGreaterThan(0);

      // Every email Postmark took, by the job it was for: each job once; each bulk user exactly one welcome.
      const accepted = standIn!.messages.filter((m) => m.ErrorCode === 0);
      const perJob = new Map<string, number>();
      for (const m of accepted) perJob.set(m.Metadata!.jobId!, (perJob.get(m.Metadata!.jobId!) ?? 0) + 1);
      const perRecipient = new Map<string, number>();
      for (const m of accepted.filter((x) => x.Tag === 'welcome' && isBulk(x.To))) {
        perRecipient.set(m.To!, (perRecipient.get(m.To!) ?? 0) + 1);
      }
      const missing = Array.from({ length: USERS }, (_, i) => `bulk${i}@acme.example`).filter(
        (to) => !perRecipient.has(to),
      );
      expect(missing).toEqual([]);
      expect([...perRecipient.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      expect([...perJob.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      console.info(
        `multi-process e2e: ${acceptedBeforeKill} bulk welcomes accepted before the kill, ${foundAtPostmark} found at Postmark by the standby, ${standIn!.calls.length} Postmark calls in all`,
      );

      // The read model the two projectors left equals a fresh replay of every event.
      await expectReadModelEqualsRebuild(USERS + 1);

      for (const p of [standby, ...apis]) p.child.kill('SIGTERM');
      expect(await Promise.all([standby.exited, ...apis.map((p) => p.exited)])).toEqual([0, 0, 0]);
    },
  );
});
