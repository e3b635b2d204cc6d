import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountStream } from '../core/accounts/events.js';
import type { NewEvent } from '../core/eventStore/eventStore.js';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { withPersonalData } from '../core/personalData/personalDataStore.js';
import { createSqliteDataKeys } from '../projections/sqlite/sqliteDataKeys.js';

const SECRET = 'an-operator-secret-of-at-least-32-characters';
const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { occurredAt: '2025-01-02T03:04:05.000Z', actor: 'system', correlationId: randomUUID() },
});
const opened = (accountId: string, name: string, email: string) =>
  event('AccountOpened', {
    accountId,
    organizationId: 'org',
    name,
    extension: '101',
    loginName: '101@acme',
    email,
    role: 'USER',
    openedBy: 'system',
  });

describe('given an events.db recorded before encryption existed (plaintext), one of whose accounts is erased since', () => {
  it('npm run history:encrypt copies it with every personal field sealed, the erased one gone, and all else kept', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-history-'));
    const [kept, gone] = [randomUUID(), randomUUID()];
    const old = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    await old.appendToStream('organization-org', [
      event('OrganizationRegistered', { organizationId: 'org', name: 'Acme', domain: 'acme' }),
    ]);
    await old.appendToStream(accountStream(kept), [opened(kept, 'Keira Keeps', 'keira@acme.example')]);
    await old.appendToStream(accountStream(gone), [opened(gone, 'Gideon Gone', 'gideon@acme.example')]);
    await old.appendToStream(accountStream(gone), [event('AccountErased', { by: 'system' })]);
    await old.appendToStream(accountStream(kept), [
      event('WelcomeEmailSent', {
        inviteId: 'i1',
        expiresAt: '2025-01-03T00:00:00.000Z',
        recipients: ['keira@acme.example'],
        sentBy: 'system',
      }),
    ]);
    const before = await old.readAll({ maxCount: 100 });
    await old.close();
    const keys = createSqliteDataKeys({ path: join(dataDir, 'readmodel.db'), secret: Buffer.from(SECRET, 'utf8') });
    await keys.erase(gone);

    const out = join(dataDir, 'events.encrypted.db');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/encryptHistory.ts', '--out', out], {
      env: { ...process.env, DATA_DIR: dataDir, KEYTURN_SECRET: SECRET },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Copied 5 events/);

    const bytes = readFileSync(out).toString('latin1');
    for (const personal of ['Keira', 'keira@', 'Gideon', 'gideon@']) expect(bytes).not.toContain(personal);
    const copy = createSqliteEventStore({ path: out });
    try {
      const raw = await copy.readAll({ maxCount: 100 });
      const shape = (e: (typeof raw)[number]) => [e.id, e.streamName, e.revision, e.position, e.type, e.metadata];
      expect(raw.map(shape)).toEqual(before.map(shape));
      expect(raw[0]!.data).toEqual(before[0]!.data);
      const read = await withPersonalData(copy, keys).readAll({ maxCount: 100 });
      expect(read.map((e) => e.data)).toEqual([
        before[0]!.data,
        before[1]!.data,
        { ...(before[2]!.data as object), name: 'erased', email: 'erased' },
        { by: 'system' },
        before[4]!.data,
      ]);
      // and a second run refuses to overwrite
      const again = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/encryptHistory.ts', '--out', out], {
        env: { ...process.env, DATA_DIR: dataDir, KEYTURN_SECRET: SECRET },
        encoding: 'utf8',
      });
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/exists already/);
    } finally {
      await copy.close();
      await keys.close();
    }
  });
});
