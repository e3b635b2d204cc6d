import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graphqlData, startService, waitFor, type RunningService } from './testing/service.js';

const NAME = 'Quintessa Zyxwvutson';
const EMAIL = 'quintessa.zyx@erase-me.example';
const SECOND_EMAIL = 'qz.home@erase-me.example';
const PASSWORD = 'Harbor-Kite-42';

/** What must not be left anywhere: the name and its words, the addresses, and the name in hex (search tokens). */
const needles = (() => {
  const texts = [NAME, ...NAME.split(' '), EMAIL, SECOND_EMAIL].map((t) => t.toLowerCase());
  const hex = [NAME, ...NAME.split(' ')].map((t) => Buffer.from(t.toLowerCase(), 'utf8').toString('hex'));
  return [...texts, ...hex];
})();

/** Every file under `dir` (databases, their -wal and -shm, outbox, anything) holding a needle, case-insensitively. */
function findings(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) return readdirSync(path).forEach((name) => walk(join(path, name)));
    const text = readFileSync(path).toString('latin1').toLowerCase();
    for (const needle of needles) if (text.includes(needle)) found.push(`${path.slice(dir.length + 1)}: ${needle}`);
  };
  walk(dir);
  return found;
}

const AUDIT = `query($id: ID!) { auditEvents(filter: { userId: $id }, first: 100) {
  edges { node { type userName userExtension actorName data } } } }`;
const USER = `query($id: ID!) { user(id: $id) { name email secondaryEmail erased status } }`;

describe('given the service on a data directory, and a person who got a welcome email', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyturn-erasure-'));
  const outbox = join(dataDir, 'outbox');
  let service: RunningService | undefined;
  afterAll(async () => {
    await service?.stop();
  });

  const gql = (query: string, variables: object = {}, token?: string) =>
    graphqlData(service!.base, query, variables, token);
  const emailsOf = (accountId: string) =>
    readdirSync(outbox).filter(
      (f) => f.endsWith('.json') && JSON.parse(readFileSync(join(outbox, f), 'utf8')).metadata.accountId === accountId,
    );

  it('erasing them leaves no trace of their name or addresses in any file, while the history keeps its shape; a rebuild agrees', async () => {
    service = await startService({ DATA_DIR: dataDir });
    // The demo's office manager completes setup from their welcome email and signs in.
    const welcomes = await waitFor(
      () => readdirSync(outbox).filter((f) => f.endsWith('.json')),
      (f) => f.length === 2,
      'the demo welcomes',
    );
    const olivia = welcomes
      .map((f) => JSON.parse(readFileSync(join(outbox, f), 'utf8')))
      .find((e) => e.to.includes('olivia.manager@acme.example'));
    const link = /token=([A-Za-z0-9_-]+)/.exec(olivia.text)![1];
    await gql('mutation($i: CompleteSetupInput!) { completeSetup(input: $i) { loginName } }', {
      i: { token: link, password: PASSWORD, confirmPassword: PASSWORD, voicemailPin: '2580' },
    });
    const token = (await gql(`mutation { signIn(loginName: "100@acme", password: "${PASSWORD}") { token } }`)).signIn
      .token as string;

    const { id } = (
      await gql(
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
        { i: { name: NAME, extension: '777', email: EMAIL } },
        token,
      )
    ).createUser as { id: string };
    await gql(
      'mutation($id: ID!, $e: String!) { addSecondaryEmail(userId: $id, email: $e) { id } }',
      { id, e: SECOND_EMAIL },
      token,
    );
    await gql('mutation($id: ID!) { sendWelcomeEmail(userId: $id) { id } }', { id }, token);
    await waitFor(
      () => emailsOf(id),
      (files) => files.length === 1,
      'the welcome email in the outbox',
    );
    const history = async () => (await gql(AUDIT, { id }, token)).auditEvents.edges.map((e: any) => e.node);
    await waitFor(history, (h) => h.some((e: any) => e.type === 'EmailDelivered'), 'the delivery to be recorded');
    // The scan finds them while they are there: the read model and the outbox hold them in clear.
    expect(findings(dataDir).some((f) => f.startsWith('readmodel.db'))).toBe(true);
    expect(findings(dataDir).some((f) => f.startsWith('outbox'))).toBe(true);
    expect(findings(dataDir).some((f) => f.startsWith('events.db'))).toBe(false);

    await gql('mutation($id: ID!) { deactivateUser(userId: $id) { id } }', { id }, token);
    expect(
      (await gql('mutation($id: ID!, $n: String!) { eraseUser(userId: $id, confirmName: $n) }', { id, n: NAME }, token))
        .eraseUser,
    ).toBe(true);
    // A later write that the projector has applied: the erasure's batch, reaction included, came before it.
    await gql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { name: 'Later Person', extension: '778', email: 'later@acme.example' } },
      token,
    );
    expect((await gql(USER, { id }, token)).user).toMatchObject({
      name: 'Erased user',
      email: '',
      secondaryEmail: null,
      erased: true,
    });

    expect(findings(dataDir)).toEqual([]);
    expect(emailsOf(id)).toEqual([]);

    const erased = await history();
    expect(erased.map((e: any) => e.type).reverse()).toEqual([
      'AccountOpened',
      'SecondaryEmailAdded',
      'WelcomeEmailSent',
      'EmailDelivered',
      'AccountDeactivated',
      'AccountErased',
    ]);
    for (const entry of erased) expect(entry.userName).toBe('Erased user');
    const data = (type: string) => erased.find((e: any) => e.type === type).data;
    expect(data('AccountOpened')).toMatchObject({
      name: 'erased',
      email: 'erased',
      extension: '777',
      loginName: '777@acme',
    });
    expect(data('SecondaryEmailAdded')).toMatchObject({ email: 'erased' });
    expect(data('WelcomeEmailSent')).toMatchObject({ recipients: ['erased'] });
    expect(data('EmailDelivered')).toMatchObject({ to: ['erased'], kind: 'welcome' });

    // A rebuild replays every event into a new version: it reads them without the key, and agrees.
    const rebuild = spawn(process.execPath, ['--import', 'tsx', 'scripts/rebuild.ts'], {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    rebuild.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => rebuild.once('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(await history()).toEqual(erased);
    expect((await gql(USER, { id }, token)).user).toMatchObject({ name: 'Erased user', erased: true });
    expect(findings(dataDir)).toEqual([]);
  }, 120_000);
});
