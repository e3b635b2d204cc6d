import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostmarkStandIn, type PostmarkStandIn } from '../core/email/postmarkStandIn.js';
import {
  graphqlData,
  importCsv,
  setUpAndSignIn,
  staffCsv,
  startService,
  waitFor,
  welcomeAllNotInvited,
  type RunningService,
} from '../api/testing/service.js';

const TOKEN = 'exactly-once-e2e-token';
const USERS = 1000;
const MANAGER = 'olivia.manager@acme.example';

const isBulk = (to: string | undefined) => /^bulk\d+@acme\.example$/.test(to ?? '');

/**
 * keyturn as an operator runs it (`npm start`, Postmark configured), killed with SIGKILL while Postmark
 * holds a chunk of a bulk welcome it has already accepted, then started again on the same data. The
 * stand-in runs in this process and answers every call 400 ms late, as a slow provider would.
 */
describe('given a bulk welcome of 1,000 users and a SIGKILL while Postmark holds an accepted chunk', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-exactly-once-'));
  let standIn: PostmarkStandIn;
  let service: RunningService | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    standIn = await startPostmarkStandIn({ token: TOKEN, latencyMs: 400 });
    env = { DATA_DIR: dataDir, POSTMARK_SERVER_TOKEN: TOKEN, POSTMARK_API_URL: standIn.url, LOG_LEVEL: 'info' };
  });
  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await standIn?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('after the restart every user has exactly one welcome email, none missing', { timeout: 240_000 }, async () => {
    service = await startService(env);
    const demo = await waitFor(
      () => standIn.messages.find((m) => m.Tag === 'welcome' && m.To === MANAGER && m.ErrorCode === 0),
      Boolean,
      'the demo manager’s welcome',
      30_000,
    );
    const manager = await setUpAndSignIn(service.base, demo!.TextBody ?? '', '100@acme');
    expect(await importCsv(service.base, staffCsv(USERS, 'Bulk User', 4000, 'bulk'), manager)).toEqual({
      created: USERS,
      rejected: 0,
    });
    const bulkId = await welcomeAllNotInvited(service.base, manager);

    // Postmark has taken a chunk of the bulk and not answered yet: the kill lands in that window.
    await waitFor(
      () => standIn.held() > 0 && standIn.messages.some((m) => isBulk(m.To)),
      Boolean,
      'a chunk of the bulk at the provider',
      60_000,
    );
    service.child.kill('SIGKILL');
    await new Promise((resolve) => service!.child.once('exit', resolve));
    const acceptedBeforeKill = standIn.messages.filter((m) => isBulk(m.To) && m.ErrorCode === 0).length;
    expect(acceptedBeforeKill).toBeGreaterThan(0);

    const callsBeforeRestart = standIn.calls.length;
    service = await startService(env);
    const progress = await waitFor(
      async () =>
        (
          await graphqlData(
            service!.base,
            'query($id: ID!) { bulkWelcomeProgress(bulkId: $id) { delivered failed pending total } }',
            { id: bulkId },
            manager,
          )
        ).bulkWelcomeProgress as { delivered: number; failed: number; pending: number; total: number },
      // The demo seed's users who had not been invited yet are in the bulk too.
      (p) => p.pending === 0 && p.total >= USERS,
      'every user of the bulk to have an outcome',
      180_000,
    );
    expect(progress).toEqual({ delivered: progress.total, failed: 0, pending: 0, total: progress.total });

    // Every email Postmark took, of any kind, by the job it was for: each job once.
    const accepted = standIn.messages.filter((m) => m.ErrorCode === 0);
    const perJob = new Map<string, number>();
    for (const m of accepted) perJob.set(m.Metadata!.jobId!, (perJob.get(m.Metadata!.jobId!) ?? 0) + 1);
    const duplicates = [...perJob.values()].reduce((sum, n) => sum + n - 1, 0);
    const perRecipient = new Map<string, number>();
    for (const m of accepted.filter((a) => a.Tag === 'welcome' && isBulk(a.To))) {
      perRecipient.set(m.To!, (perRecipient.get(m.To!) ?? 0) + 1);
    }
    // What the restart found at Postmark and recorded instead of sending: what it would have sent twice.
    const foundAtPostmark = service
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; accepted?: number })
      .filter((l) => l.msg === 'emails in doubt were already sent: recorded, not sent again')
      .reduce((sum, l) => sum + (l.accepted ?? 0), 0);
    const afterRestart = standIn.calls.slice(callsBeforeRestart);
    const count = (path: string) => afterRestart.filter((c) => c.path === path).length;
    console.info(
      `exactly-once e2e: ${acceptedBeforeKill} bulk emails accepted before the kill, ${foundAtPostmark} found at ` +
        `Postmark after the restart (${count('/messages/outbound')} searches, ${count('/email/batch')} sends), ${duplicates} sent twice`,
    );
    expect(foundAtPostmark).toBeGreaterThan(0);
    expect(perRecipient.size).toBe(USERS);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
    expect(duplicates).toBe(0);
    expect(standIn.calls.some((c) => c.path === '/messages/outbound')).toBe(true);
    expect(await service.stop()).toBe(0);
  });
});
