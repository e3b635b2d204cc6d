import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM } from '../../actor.js';
import { isOpen, type AccountCommand } from '../../accounts/account.js';
import { accountDecider, loadAccount } from '../../accounts/accountDecider.js';
import { createUser, sendWelcomeEmail } from '../../accounts/onboarding.js';
import { accountStream, type AccountEvent } from '../../accounts/events.js';
import { handleCommand } from '../../commandHandler.js';
import { metadataFor, type CoreDeps } from '../../context.js';
import { createArgon2Hasher } from '../../crypto/secrets.js';
import { createSqliteCheckpointStore, type CheckpointStore } from '../../eventStore/checkpoints.js';
import type { EventStore } from '../../eventStore/eventStore.js';
import { createSqliteEventStore } from '../../eventStore/sqliteEventStore.js';
import { createDataKeys } from '../../personalData/keyWrapping.js';
import { withPersonalData } from '../../personalData/personalDataStore.js';
import { memoryKeyStorage } from '../../personalData/testing/memoryKeyStorage.js';
import { silentLogger } from '../../logger.js';
import { registerOrganization } from '../../organizations/registerOrganization.js';
import { startEmailReactor, type EmailReactor, type EmailReactorDeps } from '../emailReactor.js';
import { createPostmarkSender, type PostmarkSenderOptions } from '../postmarkSender.js';
import { startPostmarkStandIn } from '../postmarkStandIn.js';

const TOKEN = 'reactor-spec-token';
export const REACTOR = 'email-reactor';

/** Polls until `check` holds; a wait for a state, never a fixed sleep. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A SQLite event store and checkpoint file, an organization, the Postmark stand-in, and the email reactor
 * with the real `postmark` client — what the reactor's specs start from.
 */
export async function reactorFixture() {
  const dir = mkdtempSync(join(tmpdir(), 'keyturn-reactor-'));
  // Personal data sealed, as the service stores it: the reactor reads its jobs through that step.
  const store: EventStore = withPersonalData(
    createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 }),
    createDataKeys(memoryKeyStorage().storage, randomBytes(32)),
  );
  const checkpoints: CheckpointStore = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  const standIn = await startPostmarkStandIn({ token: TOKEN });
  const secret = randomBytes(32);
  const deps: CoreDeps = {
    store,
    hasher: createArgon2Hasher(),
    clock: () => new Date(),
    links: { secret, welcomeTtlMs: 86_400_000, resetTtlMs: 10_800_000 },
  };
  const { organizationId } = await registerOrganization(deps, { name: 'Acme', domain: 'acme' });
  const reactors: EmailReactor[] = [];

  /**
   * A command through the account decider, as the service that owns it would issue it (by the system):
   * the reactor's specs need the events, not the service's own checks.
   */
  const decide = (accountId: string, command: AccountCommand) =>
    handleCommand(
      store,
      accountStream(accountId),
      accountDecider,
      command,
      metadataFor(deps, { actor: SYSTEM }, organizationId),
    );

  async function userWithWelcome(email: string, extension: string) {
    const { accountId } = await createUser(
      deps,
      { actor: SYSTEM },
      { organizationId, name: 'Ben Okafor', extension, email, role: 'USER' },
    );
    await sendWelcomeEmail(deps, { actor: SYSTEM }, accountId);
    return accountId;
  }

  /** A user who completed setup (placeholder hashes: no one signs in here); their welcome link is used. */
  async function userWithPassword(email: string, extension: string) {
    const accountId = await userWithWelcome(email, extension);
    const { state } = await loadAccount(store, accountId);
    if (!isOpen(state) || !state.invite) throw new Error('no welcome link to complete setup with');
    const data = { inviteId: state.invite.inviteId, passwordHash: 'unused-hash', pinHash: 'unused-hash' };
    await decide(accountId, { type: 'CompleteSetup', now: new Date(), data });
    return accountId;
  }

  const fixture = {
    dir,
    store,
    checkpoints,
    standIn,
    deps,
    organizationId,
    /** The real `postmark` client against the stand-in, retrying quickly. */
    sender: (senderOptions: Partial<PostmarkSenderOptions> = {}) =>
      createPostmarkSender({
        serverToken: TOKEN,
        apiUrl: standIn.url,
        from: 'test@keyturn.local',
        log: silentLogger,
        retry: { attempts: 2, baseDelayMs: 5 },
        ...senderOptions,
      }),
    async start(
      over: Partial<EmailReactorDeps> = {},
      senderOptions: Partial<PostmarkSenderOptions> = {},
    ): Promise<EmailReactor> {
      const reactor = await startEmailReactor({
        store,
        checkpoints,
        sender: fixture.sender(senderOptions),
        linkSecret: secret,
        publicUrl: 'http://keyturn.test',
        log: silentLogger,
        retry: { initialMs: 5, maxMs: 50 },
        ...over,
      });
      reactors.push(reactor);
      return reactor;
    },
    /** Email outcomes and reports on the account's stream. */
    outcomes: async (accountId: string) =>
      (await store.readStream(accountStream(accountId))).filter((e) => e.type.startsWith('Email')),
    decide,
    userWithWelcome,
    userWithPassword,
    /** Appends events as they might be found in an old or foreign log, around every decider. */
    async appendRaw(accountId: string, events: { type: string; data: unknown }[]) {
      const metadata = { occurredAt: new Date().toISOString(), actor: 'system', correlationId: randomUUID() };
      await store.appendToStream(
        accountStream(accountId),
        events.map((e) => ({ id: randomUUID(), ...e, metadata })),
      );
    },
    opened: (accountId: string, email: string, extension: string, orgId = organizationId): AccountEvent => ({
      type: 'AccountOpened',
      data: {
        accountId,
        organizationId: orgId,
        name: 'Ann Lee',
        extension,
        loginName: `${extension}@acme`,
        email,
        role: 'USER',
        openedBy: 'system',
      },
    }),
    welcome: (inviteId: string, recipients: string[]): AccountEvent => ({
      type: 'WelcomeEmailSent',
      data: { inviteId, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), recipients, sentBy: 'system' },
    }),
    /**
     * `count` accounts, each opened with a welcome email asked for, appended in one batch (no decider, no
     * reservations: the reactor only reads the account streams). Answers the account ids in log order.
     */
    async accountsWithWelcome(count: number, from = 0) {
      const metadata = { occurredAt: new Date().toISOString(), actor: 'system', correlationId: randomUUID() };
      const ids = Array.from({ length: count }, () => randomUUID());
      const outcomes = await store.appendBatch(
        ids.map((accountId, i) => ({
          streamName: accountStream(accountId),
          expectedRevision: 'no_stream' as const,
          events: [
            fixture.opened(accountId, `user${from + i}@acme.example`, String(10_000 + from + i)),
            fixture.welcome(`inv-${accountId}`, [`user${from + i}@acme.example`]),
          ].map((e) => ({ id: randomUUID(), ...e, metadata })),
        })),
      );
      if (outcomes.some((o) => !o.ok)) throw new Error('set-up append failed');
      return ids;
    },
    /** True once the reactor's checkpoint is the newest event: every email due by now was sent or recorded. */
    async atHead(from: CheckpointStore = checkpoints, name = REACTOR) {
      const after = await from.load(name);
      return after !== undefined && (await store.readAll({ after, maxCount: 1 })).length === 0;
    },
    async close() {
      for (const reactor of reactors.splice(0)) await reactor.stop();
      await standIn.close();
      await checkpoints.close();
      await store.close();
    },
  };
  return fixture;
}

export type ReactorFixture = Awaited<ReturnType<typeof reactorFixture>>;
