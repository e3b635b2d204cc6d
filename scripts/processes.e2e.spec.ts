import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logged, startProcess as start, until, type Proc } from '../api/testing/processes.js';
import { freePort } from '../api/testing/service.js';

describe('given the stateless API and two projector processes on one data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-processes-'));
  const env = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PROJECTOR_LEASE_TTL: '2s',
    SEED_DEMO: 'false',
    HOST: '127.0.0.1',
  };
  const running: Proc[] = [];
  const run = (entry: string, args: string[] = [], extra: Record<string, string> = {}) => {
    const p = start(entry, args, { ...env, ...extra });
    running.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });

  it(
    'one projects while the other stands by, takes over on SIGTERM, and a rebuild switches through it',
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      const gql = async (query: string, variables: object = {}, token?: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
        });
        return (await res.json()) as { data?: any; errors?: unknown[] };
      };
      const createUser = (token: string, name: string, extension: string) =>
        gql(
          'mutation($i: CreateUserInput!) { createUser(input: $i) { id name status } }',
          { i: { name, extension, email: `${extension}@acme.example` } },
          token,
        );

      const org = run('scripts/orgCreate.ts', [
        '--name',
        'Acme',
        '--domain',
        'acme',
        '--manager-name',
        'Mia Manager',
        '--manager-extension',
        '100',
        '--manager-email',
        'mia@acme.example',
      ]);
      expect(await org.exited).toBe(0);

      const first = run('scripts/projector.ts');
      await until(() => logged(first, 'lease taken: working'), 'the first projector to take the lease');
      const second = run('scripts/projector.ts');
      await until(() => logged(second, 'projector started'), 'the second projector to start');
      expect(logged(second, 'standing by: another process holds the lease')).toBeDefined();
      const api = run('api/main.ts', ['--api-only'], { PORT: String(port) });
      await until(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`)
            .then((r) => r.ok)
            .catch(() => false),
        'the API',
      );
      expect(api.lines().find((l) => l.msg === 'keyturn is running')).toMatchObject({ mode: 'api' });

      // The first projector's reactor sends the manager's welcome email; the API serves the rest.
      const outbox = () => readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.json'));
      const [welcome] = await until(() => {
        try {
          const f = outbox();
          return f.length ? f : undefined;
        } catch {
          return undefined;
        }
      }, 'the welcome email');
      const token = /token=([A-Za-z0-9_-]+)/.exec(readFileSync(join(dataDir, 'outbox', welcome!), 'utf8'))![1];
      const setup = await gql('mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { loginName } }', {
        i: { token, password: 'Harbor-Kite-42', confirmPassword: 'Harbor-Kite-42', voicemailPin: '2580' },
      });
      expect(setup.data?.completeSetup.loginName).toBe('100@acme');
      const signIn = await gql('mutation { signIn(loginName: "100@acme", password: "Harbor-Kite-42") { token } }');
      const session = signIn.data?.signIn.token as string;
      // A mutation answers with the user as projected: the API waits by polling the checkpoint.
      expect((await createUser(session, 'Ben Okafor', '101')).data?.createUser).toMatchObject({
        name: 'Ben Okafor',
        status: 'NOT_INVITED',
      });

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      await until(() => logged(second, 'lease taken: working'), 'the second projector to take over', 15_000);
      expect((await createUser(session, 'Bea Brown', '102')).data?.createUser).toMatchObject({ name: 'Bea Brown' });

      const rebuild = run('scripts/rebuild.ts');
      expect(await rebuild.exited).toBe(0);
      expect(rebuild.lines().find((l) => l.msg === 'rebuild finished')).toMatchObject({
        from: 1,
        version: 2,
        switchedBy: 'projector',
      });
      expect(logged(second, 'switched to the rebuilt projection version')).toBeDefined();
      const users = await gql('{ users(first: 10) { totalCount edges { node { name } } } }', {}, session);
      expect(users.data?.users.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([
        'Bea Brown',
        'Ben Okafor',
        'Mia Manager',
      ]);

      for (const p of [second, api]) p.child.kill('SIGTERM');
      expect(await Promise.all([second.exited, api.exited])).toEqual([0, 0]);
      expect(outbox()).toHaveLength(1);
    },
  );
});
