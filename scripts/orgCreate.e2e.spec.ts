import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';

const run = (dataDir: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/orgCreate.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });

const globex = [
  '--name',
  'Globex',
  '--domain',
  'globex',
  '--manager-name',
  'Hank Scorpio',
  '--manager-extension',
  '200',
  '--manager-email',
  'hank@globex.example',
];

async function eventTypes(dataDir: string) {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  const types = (await store.readAll({ maxCount: 100 })).map((e) => e.type);
  await store.close();
  return types;
}

describe('npm run org:create', () => {
  it('registers the organization and its manager, records the welcome email, and prints one JSON line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-cli-'));
    const result = run(dataDir, [...globex, '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      organizationId: expect.any(String),
      managerId: expect.any(String),
      loginName: '200@globex',
    });
    expect(await eventTypes(dataDir)).toEqual([
      'DomainReserved',
      'OrganizationRegistered',
      'ExtensionReserved',
      'AccountOpened',
      'WelcomeEmailSent',
    ]);
  }, 30_000);

  it('names every bad argument, exits 2 and writes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-cli-'));
    const result = run(dataDir, [
      '--name',
      'Globex',
      '--domain',
      'Glob_ex',
      '--manager-name',
      'Hank',
      '--manager-extension',
      '2',
      '--manager-email',
      'nope',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--domain');
    expect(result.stderr).toContain('--manager-extension');
    expect(result.stderr).toContain('--manager-email');
    expect(await eventTypes(dataDir)).toEqual([]);
  }, 30_000);

  it('refuses a domain that is taken, and adds nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-cli-'));
    expect(run(dataDir, globex).status).toBe(0);
    const again = run(dataDir, globex);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('taken');
    expect(await eventTypes(dataDir)).toHaveLength(5);
  }, 30_000);
});
