import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { accountStream } from '../../core/accounts/events.js';
import type { OutgoingEmail } from '../../core/email/emailSender.js';
import { createOutboxSender } from '../../core/email/outboxSender.js';
import { silentLogger } from '../../core/logger.js';
import type { DataKeys } from '../../core/personalData/dataKeys.js';
import { createDataKeys } from '../../core/personalData/keyWrapping.js';
import { memoryKeyStorage } from '../../core/personalData/testing/memoryKeyStorage.js';
import { eventLog } from '../testing/events.js';
import { eraseAfterAccountErasures, type ErasureDeps } from './erasureReaction.js';

const email = (accountId: string, refId: string): OutgoingEmail => ({
  to: [`${refId}@acme.example`],
  subject: 'Welcome',
  html: '<p>Welcome</p>',
  text: 'Welcome: http://keyturn.test/setup?token=t',
  kind: 'welcome',
  metadata: { accountId, refId, kind: 'welcome' },
});

describe('given an outbox with emails for two accounts and a data key for each', () => {
  let dir: string;
  let keys: DataKeys;
  let deps: ErasureDeps;
  let truncations: number;
  let warnings: object[];
  const quentin = randomUUID();
  const yara = randomUUID();
  const log = eventLog();
  const erasure = log.record(accountStream(quentin), 'AccountErased', { by: 'system' });
  const other = log.record(accountStream(yara), 'AccountDeactivated', { by: 'system' });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyturn-outbox-'));
    const sender = createOutboxSender({ dir, log: silentLogger });
    await sender.sendBatch([email(quentin, 'q1'), email(yara, 'y1'), email(quentin, 'q2')]);
    // what a crash in the middle of a write leaves, and a file that is not an email
    writeFileSync(
      join(dir, `.2026-01-01T00-00-00.000Z-welcome-q3.json.${randomUUID()}.tmp`),
      JSON.stringify({ metadata: { accountId: quentin } }),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not an email');
    keys = createDataKeys(memoryKeyStorage().storage, randomBytes(32));
    await keys.obtain([quentin, yara]);
    truncations = 0;
    warnings = [];
    deps = {
      dataKeys: keys,
      outboxDir: dir,
      truncateJournals: async () => {
        truncations += 1;
        return [];
      },
      log: { ...silentLogger, warn: (obj) => void warnings.push(obj) },
    };
  });

  it("an erasure deletes only that account's key and emails (both files of each), then empties the journals", async () => {
    await eraseAfterAccountErasures(deps, [other, erasure]);
    expect((await keys.find([quentin])).get(quentin)).toBeNull();
    expect((await keys.find([yara])).get(yara)).toBeInstanceOf(Buffer);
    const left = readdirSync(dir).sort();
    expect(left.filter((f) => f.includes('-q'))).toEqual([]);
    expect(left).toEqual([
      expect.stringMatching(/-welcome-y1\.eml$/),
      expect.stringMatching(/-welcome-y1\.json$/),
      'notes.txt',
    ]);
    expect(truncations).toBe(1);
  });

  it('a redelivered or replayed erasure deletes nothing new and does not fail', async () => {
    await eraseAfterAccountErasures(deps, [erasure]);
    const left = readdirSync(dir).sort();
    await eraseAfterAccountErasures(deps, [erasure, erasure]);
    expect(readdirSync(dir).sort()).toEqual(left);
    expect((await keys.find([quentin])).get(quentin)).toBeNull();
  });

  it('a batch without an erasure touches nothing', async () => {
    const before = readdirSync(dir).sort();
    await eraseAfterAccountErasures(deps, [other]);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(truncations).toBe(0);
  });

  it('with Postmark (no outbox) and on MongoDB (no journals) only the key goes; a busy WAL is logged, not fatal', async () => {
    await eraseAfterAccountErasures({ dataKeys: keys, log: silentLogger }, [erasure]);
    expect((await keys.find([quentin])).get(quentin)).toBeNull();
    expect(readdirSync(dir).filter((f) => f.includes('-q'))).toHaveLength(5);
    await eraseAfterAccountErasures({ ...deps, truncateJournals: async () => ['/data/readmodel.db'] }, [erasure]);
    expect(warnings).toEqual([{ files: ['/data/readmodel.db'] }]);
  });
});
