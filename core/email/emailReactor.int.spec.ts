import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../actor.js';
import { createUser, sendWelcomeEmail } from '../accounts/onboarding.js';
import { accountStream } from '../accounts/events.js';
import type { CoreDeps } from '../context.js';
import { createArgon2Hasher } from '../crypto/secrets.js';
import { createSqliteCheckpointStore, type CheckpointStore } from '../eventStore/checkpoints.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { createSqliteEventStore } from '../eventStore/sqliteEventStore.js';
import { silentLogger } from '../logger.js';
import { registerOrganization } from '../organizations/registerOrganization.js';
import { startEmailReactor, type EmailReactor } from './emailReactor.js';
import { createPostmarkSender } from './postmarkSender.js';
import { startPostmarkStandIn, type PostmarkStandIn } from './postmarkStandIn.js';

const TOKEN = 'reactor-spec-token';

const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('email reactor with the real Postmark client against a local stand-in', () => {
  let dir: string;
  let store: EventStore;
  let checkpoints: CheckpointStore;
  let standIn: PostmarkStandIn;
  let deps: CoreDeps;
  let reactor: EmailReactor | undefined;
  const secret = randomBytes(32);

  const start = async (checkpointStore = checkpoints) => {
    reactor = await startEmailReactor({
      store,
      checkpoints: checkpointStore,
      sender: createPostmarkSender({
        serverToken: TOKEN,
        apiUrl: standIn.url,
        from: 'test@keyturn.local',
        log: silentLogger,
        retry: { attempts: 2, baseDelayMs: 5 },
      }),
      linkSecret: secret,
      publicUrl: 'http://keyturn.test',
      log: silentLogger,
    });
  };
  const outcomes = async (accountId: string) =>
    (await store.readStream(accountStream(accountId))).filter((e) => e.type.startsWith('Email'));

  const userWithWelcome = async (email: string, extension: string) => {
    const { accountId } = await createUser(deps, { actor: SYSTEM }, { organizationId, name: 'Ben Okafor', extension, email, role: 'USER' });
    await sendWelcomeEmail(deps, { actor: SYSTEM }, accountId);
    return accountId;
  };
  let organizationId: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyturn-reactor-'));
    store = createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
    standIn = await startPostmarkStandIn({ token: TOKEN });
    deps = { store, hasher: createArgon2Hasher(), clock: () => new Date(), links: { secret, welcomeTtlMs: 86_400_000, resetTtlMs: 10_800_000 } };
    ({ organizationId } = await registerOrganization(deps, { name: 'Acme', domain: 'acme' }));
  });
  afterEach(async () => {
    await reactor?.stop();
    reactor = undefined;
    await standIn.close();
    await checkpoints.close();
    await store.close();
  });

  describe('given a welcome email recorded while no reactor ran (a crash right after the append)', () => {
    it('sends it once the reactor starts, and records EmailDelivered with the provider id', async () => {
      const id = await userWithWelcome('ben@acme.example', '101');
      await start();
      await waitFor(async () => (await outcomes(id)).length === 1);
      const [delivered] = await outcomes(id);
      expect(delivered).toMatchObject({ type: 'EmailDelivered', data: { kind: 'welcome', to: ['ben@acme.example'] } });
      expect(standIn.messages).toHaveLength(1);
      expect(standIn.messages[0]?.TextBody).toContain('101@acme');
      expect((delivered?.data as { providerMessageId: string }).providerMessageId).toBe(standIn.messages[0]?.MessageID);
    });
  });

  describe('given an email already delivered', () => {
    it('is not sent again after a restart, even when the checkpoint was lost', async () => {
      const id = await userWithWelcome('ben@acme.example', '101');
      await start();
      await waitFor(async () => (await outcomes(id)).length === 1);
      await reactor!.stop();
      await start(createSqliteCheckpointStore(join(dir, 'lost-checkpoint.db')));
      const other = await userWithWelcome('bea@acme.example', '102');
      await waitFor(async () => (await outcomes(other)).length === 1);
      expect(standIn.messages.map((m) => m.To)).toEqual(['ben@acme.example', 'bea@acme.example']);
      expect(await outcomes(id)).toHaveLength(1);
    });
  });

  describe('given the provider refuses a recipient', () => {
    it('records EmailDeliveryFailed with the code and a reason for an inactive recipient (406)', async () => {
      const id = await userWithWelcome('inactive@acme.example', '101');
      await start();
      await waitFor(async () => (await outcomes(id)).length === 1);
      expect((await outcomes(id))[0]).toMatchObject({ type: 'EmailDeliveryFailed', data: { errorCode: '406' } });
      expect(((await outcomes(id))[0]?.data as { reason: string }).reason).toMatch(/inactive/i);
    });
    it('records an invalid address (300) as failed too', async () => {
      const id = await userWithWelcome('invalid@acme.example', '101');
      await start();
      await waitFor(async () => (await outcomes(id)).length === 1);
      expect((await outcomes(id))[0]).toMatchObject({ type: 'EmailDeliveryFailed', data: { errorCode: '300' } });
    });
  });

  describe('given the provider is down for a while (5xx)', () => {
    it('keeps the email and sends it once the provider answers again', async () => {
      standIn.failNext(500, 4);
      const id = await userWithWelcome('ben@acme.example', '101');
      await start();
      await waitFor(async () => (await outcomes(id)).length === 1, 10_000);
      expect((await outcomes(id))[0]?.type).toBe('EmailDelivered');
      expect(standIn.calls.filter((c) => c.status === 500)).toHaveLength(4);
      expect(standIn.messages).toHaveLength(1);
    });
  });

  describe('given a newer welcome email before the reactor ran', () => {
    it('sends only the newest link', async () => {
      const id = await userWithWelcome('ben@acme.example', '101');
      await sendWelcomeEmail(deps, { actor: SYSTEM }, id);
      await start();
      await waitFor(async () => (await outcomes(id)).length === 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(standIn.messages).toHaveLength(1);
    });
  });
});
