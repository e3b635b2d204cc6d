import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import { createSqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { createSqliteCheckpointStore } from '../../core/eventStore/checkpoints.js';
import { createOutboxSender } from '../../core/email/outboxSender.js';
import type { EventStore } from '../../core/eventStore/eventStore.js';
import { silentLogger } from '../../core/logger.js';
import { onboardOrganization } from '../../core/organizations/onboardOrganization.js';
import { createSqliteReadModel } from '../../projections/sqlite/sqliteReadModel.js';
import type { ReadModel } from '../../projections/readModel.js';
import { startKeyturn, type Keyturn, type KeyturnParts } from '../keyturn.js';

export interface OutboxMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  kind: string;
  metadata: { accountId: string; refId: string; kind: string };
}

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: readonly GraphQLFormattedError[];
}

/** A controllable clock: tests move time instead of sleeping. */
export function testClock(start = new Date('2026-11-26T09:00:00Z')) {
  let now = start.getTime();
  const clock = () => new Date(now);
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

export interface TestApp {
  keyturn: Keyturn;
  store: EventStore;
  readModel: ReadModel;
  clock: ReturnType<typeof testClock>;
  outboxDir: string;
  /** run an operation as the holder of this session token (or anonymously) */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  outbox(): OutboxMessage[];
  /** waits until the reactor wrote an email matching `match`, and returns it */
  waitForEmail(match: (m: OutboxMessage) => boolean, timeoutMs?: number): Promise<OutboxMessage>;
  linkToken(message: OutboxMessage): string;
  /** signs in and returns the session token */
  signIn(loginName: string, password?: string): Promise<string>;
  /** an organization with an office manager who completed setup and is signed in */
  organization(domain?: string): Promise<{ organizationId: string; managerId: string; token: string; loginName: string }>;
  stop(): Promise<void>;
}

export const GOOD_PASSWORD = 'Harbor-Kite-42';
export const GOOD_PIN = '2580';

/**
 * The whole service on in-memory SQLite (event store and read model) with the real outbox sender in
 * a temp directory: GraphQL specs run operations through `executeOperation`.
 */
export async function createTestApp(overrides: Partial<KeyturnParts> & { readModel?: ReadModel } = {}): Promise<TestApp> {
  const clock = testClock();
  const outboxDir = mkdtempSync(join(tmpdir(), 'keyturn-outbox-'));
  const store = overrides.store ?? createSqliteEventStore({ path: ':memory:', pollIntervalMs: 20 });
  const readModel = overrides.readModel ?? createSqliteReadModel({ path: ':memory:' });
  const checkpoints = overrides.checkpoints ?? createSqliteCheckpointStore(':memory:');
  const keyturn = await startKeyturn({
    store,
    readModel,
    checkpoints,
    sender: createOutboxSender({ dir: outboxDir, log: silentLogger }),
    log: silentLogger,
    secret: randomBytes(32),
    publicUrl: 'http://keyturn.test',
    clock,
    ...overrides,
  });

  const app: TestApp = {
    keyturn,
    store,
    readModel,
    clock,
    outboxDir,
    async gql(query, variables, token) {
      const response = await keyturn.graphql.executeOperation(
        { query, variables },
        { contextValue: await keyturn.contextFor(token) },
      );
      if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
      return response.body.singleResult as GqlResult<any>;
    },
    outbox() {
      return readdirSync(outboxDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(join(outboxDir, f), 'utf8')) as OutboxMessage);
    },
    async waitForEmail(match, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = app.outbox().find(match);
        if (found) return found;
        if (Date.now() > until) throw new Error('no such email arrived in the outbox');
        await new Promise((r) => setTimeout(r, 15));
      }
    },
    linkToken(message) {
      const match = /token=([A-Za-z0-9_-]+)/.exec(message.text);
      if (!match) throw new Error('no link in this email');
      return match[1]!;
    },
    async organization(domain = 'acme') {
      const org = await onboardOrganization(keyturn.services.core, {
        name: `${domain} Inc`,
        domain,
        manager: { name: `${domain} Manager`, extension: '100', email: `manager@${domain}.example` },
      });
      const welcome = await app.waitForEmail((m) => m.metadata.accountId === org.managerId && m.kind === 'welcome');
      const setup = await app.gql(
        `mutation($input: CompleteSetupInput!) { completeSetup(input: $input) { loginName } }`,
        { input: { token: app.linkToken(welcome), password: GOOD_PASSWORD, confirmPassword: GOOD_PASSWORD, voicemailPin: GOOD_PIN } },
      );
      if (setup.errors) throw new Error(JSON.stringify(setup.errors));
      const token = await app.signIn(org.loginName);
      return { organizationId: org.organizationId, managerId: org.managerId, token, loginName: org.loginName };
    },
    async stop() {
      await keyturn.stop();
      await readModel.close();
      await checkpoints.close();
      await store.close();
    },
    async signIn(loginName, password = GOOD_PASSWORD) {
      const result = await app.gql<{ signIn: { token: string } }>(
        `mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }`,
        { l: loginName, p: password },
      );
      if (!result.data?.signIn) throw new Error(JSON.stringify(result.errors));
      return result.data.signIn.token;
    },
  };
  return app;
}

export const codesOf = (result: GqlResult) => result.errors?.map((e) => e.extensions?.code) ?? [];
