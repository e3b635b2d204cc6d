import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANONYMOUS, SYSTEM } from '../actor.js';
import type { CoreDeps } from '../context.js';
import { createArgon2Hasher } from '../crypto/secrets.js';
import { emailJobOf } from '../email/emailJobs.js';
import { renderJob } from '../email/renderJob.js';
import { createSqliteEventStore } from '../eventStore/sqliteEventStore.js';
import { registerOrganization } from '../organizations/registerOrganization.js';
import type { OpenAccountState } from './account.js';
import { loadAccount } from './accountDecider.js';
import { accountStream } from './events.js';
import { createUser } from './onboarding.js';
import { processLoginNameRequest, type AddressOwner, type RecoveryDeps } from './recovery.js';

const ADDRESS = 'frontdesk@acme.example';

describe('given an address shared by an account that completed setup and one that never did', () => {
  let deps: RecoveryDeps;
  let owners: AddressOwner[];

  beforeEach(async () => {
    const core: CoreDeps = {
      store: createSqliteEventStore({ path: join(mkdtempSync(join(tmpdir(), 'keyturn-login-name-')), 'events.db') }),
      hasher: createArgon2Hasher(),
      clock: () => new Date('2026-03-03T14:05:00Z'),
      links: { secret: randomBytes(32), welcomeTtlMs: 86_400_000, resetTtlMs: 10_800_000 },
    };
    const { organizationId } = await registerOrganization(core, { name: 'Acme', domain: 'acme' });
    const open = async (extension: string, status: string): Promise<AddressOwner> => {
      const input = { organizationId, name: `Desk ${extension}`, extension, email: ADDRESS, role: 'USER' as const };
      const { accountId } = await createUser(core, { actor: SYSTEM }, input);
      return { accountId, organizationId, loginName: `${extension}@acme`, status };
    };
    // The read model's answer, as it would give it: 101 is active, 102 was invited and never set up.
    owners = [await open('102', 'INVITED'), await open('101', 'ACTIVE')];
    deps = { ...core, ownersOfEmail: async () => owners, allowEmail: async () => 'allowed' };
  });
  afterEach(() => deps.store.close());

  const requested = async () => {
    const events = [];
    for (const owner of owners) {
      const stream = await deps.store.readStream(accountStream(owner.accountId));
      events.push(...stream.filter((e) => e.type === 'LoginNameRequested'));
    }
    return events;
  };

  it('records which of the listed login names still await setup, on every account the request names', async () => {
    await processLoginNameRequest(deps, { actor: ANONYMOUS }, ADDRESS);
    const events = await requested();
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event.data).toMatchObject({ loginNames: ['101@acme', '102@acme'], pendingLoginNames: ['102@acme'] });
    }
  });

  it('sends one email that tells the ready account how to sign in and the other how to complete setup', async () => {
    await processLoginNameRequest(deps, { actor: ANONYMOUS }, ADDRESS);
    const jobs = (await requested()).map(emailJobOf).filter((job) => job !== undefined);
    expect(jobs).toHaveLength(1);
    const { state } = await loadAccount(deps.store, jobs[0]!.event.streamName.slice('account-'.length));
    const ctx = { organizationName: 'Acme', publicUrl: 'http://keyturn.test', linkSecret: deps.links.secret };
    const email = renderJob(jobs[0]!, state as OpenAccountState, ctx);
    expect(email.to).toEqual([ADDRESS]);
    expect(email.text).toMatch(/Ready to sign in:\n\n {2}- 101@acme\n\nTo sign in/);
    expect(email.text).toMatch(
      /Setup not completed yet:\n\n {2}- 102@acme\n\nThis account has not completed setup yet/,
    );
    expect(email.text).toContain('Sign in: http://keyturn.test/sign-in');
  });
});
