import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import { createSqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { createOutboxSender } from '../../core/email/outboxSender.js';
import type { EventStore } from '../../core/eventStore/eventStore.js';
import type { DataKeys } from '../../core/personalData/dataKeys.js';
import { withPersonalData } from '../../core/personalData/personalDataStore.js';
import type { CheckpointStore } from '../../core/eventStore/checkpoints.js';
import { silentLogger } from '../../core/logger.js';
import { onboardOrganization } from '../../core/organizations/onboardOrganization.js';
import type { ReadModel } from '../../projections/readModel.js';
import { startKeyturn, type Keyturn, type KeyturnParts } from '../keyturn.js';
import { readStoresForTests } from './readStores.js';

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
  /** the event store as the service uses it: personal data sealed with `dataKeys` */
  store: EventStore;
  dataKeys: DataKeys;
  readModel: ReadModel;
  /** the email reactor's checkpoints (see `settled`) */
  checkpoints: CheckpointStore;
  clock: ReturnType<typeof testClock>;
  outboxDir: string;
  /** run an operation as the holder of this session token (or anonymously), from a client address and browser */
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    clientAddress?: string,
    userAgent?: string,
  ): Promise<GqlResult<T>>;
  outbox(): OutboxMessage[];
  /** waits until the reactor wrote an email matching `match`, and returns it */
  waitForEmail(match: (m: OutboxMessage) => boolean, timeoutMs?: number): Promise<OutboxMessage>;
  linkToken(message: OutboxMessage): string;
  /** signs in (from this User-Agent, if given) and returns the session token */
  signIn(loginName: string, password?: string, userAgent?: string): Promise<string>;
  /** an organization with an office manager who completed setup and is signed in */
  organization(domain?: string): Promise<{ organizationId: string; managerId: string; token: string; loginName: string }>;
  stop(): Promise<void>;
}

export const GOOD_PASSWORD = 'Harbor-Kite-42';
export const GOOD_PIN = '2580';

/**
 * The whole service on in-memory SQLite (event store and read model; the read model on FerretDB in
 * the `mongo` vitest project, see `readStores.ts`) with the real outbox sender in a temp directory:
 * GraphQL specs run operations through `executeOperation`.
 */
export async function createTestApp(overrides: Partial<KeyturnParts> & { readModel?: ReadModel } = {}): Promise<TestApp> {
  const clock = testClock();
  const outboxDir = mkdtempSync(join(tmpdir(), 'keyturn-outbox-'));
  const readStores = await readStoresForTests();
  const secret = overrides.secret ?? randomBytes(32);
  const dataKeys = overrides.dataKeys ?? readStores.dataKeys(secret);
  // Every spec runs with personal data sealed, as the service does (a given store is wrapped too).
  const store = withPersonalData(overrides.store ?? createSqliteEventStore({ path: ':memory:', pollIntervalMs: 20 }), dataKeys);
  const readModel = overrides.readModel ?? readStores.readModel();
  const checkpoints = overrides.checkpoints ?? readStores.checkpoints();
  const keyturn = await startKeyturn({
    readModel,
    checkpoints,
    sender: createOutboxSender({ dir: outboxDir, log: silentLogger }),
    log: silentLogger,
    secret,
    outboxDir,
    publicUrl: 'http://keyturn.test',
    clock,
    ...overrides,
    store,
    dataKeys,
  });

  const app: TestApp = {
    keyturn,
    store,
    dataKeys,
    readModel,
    checkpoints,
    clock,
    outboxDir,
    async gql(query, variables, token, clientAddress = '192.0.2.1', userAgent) {
      const response = await keyturn.graphql.executeOperation(
        { query, variables },
        { contextValue: await keyturn.contextFor(token, undefined, clientAddress, userAgent) },
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
      if (!overrides.dataKeys) await dataKeys.close();
      await store.close();
    },
    async signIn(loginName, password = GOOD_PASSWORD, userAgent) {
      const result = await app.gql<{ signIn: { token: string } }>(
        `mutation($l: String!, $p: String!) { signIn(loginName: $l, password: $p) { token } }`,
        { l: loginName, p: password },
        undefined,
        undefined,
        userAgent,
      );
      if (!result.data?.signIn) throw new Error(JSON.stringify(result.errors));
      return result.data.signIn.token;
    },
  };
  return app;
}

export const codesOf = (result: GqlResult) => result.errors?.map((e) => e.extensions?.code) ?? [];

// ---------------------------------------------------------------------------------------------
// Helpers for the GraphQL specs: build a starting state in a line, and wait for positions, not time.

export type Manager = Awaited<ReturnType<TestApp['organization']>>;

/** Asserts the answer failed with exactly this one code and returns that error. */
export function errorOf(result: GqlResult, code: string): GraphQLFormattedError {
  const codes = codesOf(result);
  if (codes.length !== 1 || codes[0] !== code) {
    throw new Error(`expected one ${code} error, got ${JSON.stringify(result.errors ?? result.data)}`);
  }
  return result.errors![0]!;
}

/** The field names of a BAD_USER_INPUT answer, sorted. */
export const badFieldsOf = (result: GqlResult) =>
  Object.keys(errorOf(result, 'BAD_USER_INPUT').extensions?.fields ?? {}).sort();

/** Polls `probe` until it answers something truthy (a reactor or projector caught up); never a fixed sleep. */
export async function eventually<T>(probe: () => Promise<T> | T, what = 'the condition', timeoutMs = 5000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/**
 * Waits until background requests finished and both the projector and the email reactor handled every
 * event in the store: after this, an email that has not arrived will not arrive.
 */
export async function settled(app: TestApp, timeoutMs = 5000): Promise<void> {
  await app.keyturn.services.background.idle();
  const caughtUp = async (checkpoint: string | undefined) => (await app.store.readAll({ after: checkpoint, maxCount: 1 })).length === 0;
  await eventually(
    async () => (await caughtUp(await app.readModel.checkpoint())) && caughtUp(await app.checkpoints.load('email-reactor')),
    'the projector and the email reactor to catch up',
    timeoutMs,
  );
}

/** Data of the newest event of `type` on an account's stream (e.g. the invite id of the newest welcome). */
export async function latestEvent<D = Record<string, any>>(app: TestApp, accountId: string, type: string): Promise<D | undefined> {
  const events = await app.store.readStream(`account-${accountId}`);
  return events.filter((e) => e.type === type).at(-1)?.data as D | undefined;
}

/** Events of `type` on an account's stream. */
export async function eventsOf(app: TestApp, accountId: string, type: string) {
  return (await app.store.readStream(`account-${accountId}`)).filter((e) => e.type === type);
}

export interface NewUser {
  name: string;
  extension: string;
  email: string;
  role?: 'OFFICE_MANAGER' | 'USER' | 'AUDITOR';
}

export const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { id loginName role status email } }`;
export const SEND_WELCOME = `mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id status } }`;
export const COMPLETE_SETUP = `mutation($input: CompleteSetupInput!) { completeSetup(input: $input) { loginName } }`;

/** Creates a user (not invited) as this office manager. */
export async function createUser(app: TestApp, managerToken: string, user: NewUser): Promise<{ id: string; loginName: string }> {
  const result = await app.gql(CREATE_USER, { input: user }, managerToken);
  if (!result.data?.createUser) throw new Error(JSON.stringify(result.errors));
  return result.data.createUser as { id: string; loginName: string };
}

/** Sends a welcome email and waits for exactly that email (not an older one) in the outbox. */
export async function sendWelcome(app: TestApp, managerToken: string, userId: string): Promise<{ email: OutboxMessage; token: string }> {
  const result = await app.gql(SEND_WELCOME, { id: userId }, managerToken);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  const { inviteId } = (await latestEvent<{ inviteId: string }>(app, userId, 'WelcomeEmailSent'))!;
  const email = await app.waitForEmail((m) => m.kind === 'welcome' && m.metadata.refId === inviteId);
  return { email, token: app.linkToken(email) };
}

export const setupInput = (token: string, password = GOOD_PASSWORD, voicemailPin = GOOD_PIN) => ({
  token,
  password,
  confirmPassword: password,
  voicemailPin,
});

/** A user of the manager's organization who completed setup and is signed in (costs three argon2 runs). */
export async function activeUser(app: TestApp, managerToken: string, user: NewUser) {
  const { id, loginName } = await createUser(app, managerToken, user);
  const { token: link } = await sendWelcome(app, managerToken, id);
  const done = await app.gql(COMPLETE_SETUP, { input: setupInput(link) });
  if (done.errors) throw new Error(JSON.stringify(done.errors));
  return { id, loginName, token: await app.signIn(loginName) };
}

/** Waits for the email a reset request produced for this account (by the reset id on its stream). */
export async function resetEmailOf(app: TestApp, accountId: string): Promise<{ email: OutboxMessage; token: string }> {
  await app.keyturn.services.background.idle();
  const { resetId } = await eventually(
    () => latestEvent<{ resetId: string }>(app, accountId, 'ResetRequested'),
    'a reset request on the account',
  );
  const email = await app.waitForEmail((m) => m.kind === 'reset' && m.metadata.refId === resetId);
  return { email, token: app.linkToken(email) };
}
