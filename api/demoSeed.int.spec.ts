import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDemo } from './demoSeed.js';
import { createLog } from './logging.js';
import { createTestApp, type TestApp } from './testing/harness.js';

function recordingLog() {
  const lines: { obj: Record<string, unknown>; msg?: string }[] = [];
  const at = (obj: object, msg?: string) => lines.push({ obj: obj as Record<string, unknown>, msg });
  return { log: { info: at, warn: at, error: at }, lines };
}

/** What a logger printed, as text. */
function capture() {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { destination, text: () => text };
}

const SETUP_LINK = `query($token: String!) { setupLink(token: $token) { status loginName } }`;
const tokenOf = (link: unknown) => new URL(String(link)).searchParams.get('token');

describe('given an empty store', () => {
  let app: TestApp;
  afterEach(async () => app.stop());

  it('in development, logs the office manager’s and the auditor’s setup links, both usable, and where to start', async () => {
    app = await createTestApp();
    const { log, lines } = recordingLog();
    await seedDemo(app.keyturn.services.core, 'http://keyturn.test', log, { logLink: true });
    expect(lines[0]).toMatchObject({ obj: { url: 'http://keyturn.test' }, msg: expect.stringContaining('the password you chose') });
    const people = lines.filter((l) => l.obj.setupLink);
    expect(people.map((l) => [l.msg, l.obj.loginName])).toEqual([
      ['demo office manager: Olivia Manager', '100@acme'],
      ['demo auditor: Arthur Auditor', '199@acme'],
    ]);
    for (const person of people) {
      expect(person.obj.setupLink).toMatch(/^http:\/\/keyturn\.test\/setup\?token=/);
      const info = await app.gql(SETUP_LINK, { token: tokenOf(person.obj.setupLink) });
      expect(info.data?.setupLink).toEqual({ status: 'VALID', loginName: person.obj.loginName });
    }
    expect(lines.at(-1)?.msg).toMatch(/24 staff without a welcome email yet.*npm run outbox/);
  });

  it('sends the auditor a welcome email too, carrying the link it logged', async () => {
    app = await createTestApp();
    const { log, lines } = recordingLog();
    await seedDemo(app.keyturn.services.core, 'http://keyturn.test', log, { logLink: true });
    const email = await app.waitForEmail((m) => m.kind === 'welcome' && m.to.includes('arthur.auditor@acme.example'));
    const logged = lines.find((l) => l.obj.loginName === '199@acme')!.obj.setupLink;
    expect(email.text).toContain(`Complete Setup: ${String(logged)}`);
  });

  it('in production, logs no link: the welcome emails carry them', async () => {
    app = await createTestApp();
    const { log, lines } = recordingLog();
    await seedDemo(app.keyturn.services.core, 'http://keyturn.test', log, { logLink: false });
    expect(lines).toEqual([{ obj: { loginNames: ['100@acme', '199@acme'] }, msg: expect.stringContaining('demo organization created') }]);
    expect(JSON.stringify(lines)).not.toMatch(/token=|setupLink/);
    await app.waitForEmail((m) => m.kind === 'welcome' && m.to.includes('olivia.manager@acme.example'));
    await app.waitForEmail((m) => m.kind === 'welcome' && m.to.includes('arthur.auditor@acme.example'));
  });
});

describe('given the start-up logger', () => {
  let app: TestApp;
  afterEach(async () => app.stop());

  it('in a developer’s terminal, prints the demo as readable lines, each link on a line of its own', async () => {
    app = await createTestApp();
    const out = capture();
    const log = await createLog({ level: 'info', production: false, pretty: true, destination: out.destination });
    await seedDemo(app.keyturn.services.core, 'http://keyturn.test', log, { logLink: true });
    const text = out.text().replace(/\x1b\[[0-9;]*m/g, ''); // colours off, for the comparison
    expect(text).not.toMatch(/^\{/m);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: demo office manager: Olivia Manager$/m);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: demo auditor: Arthur Auditor$/m);
    // bare, so a click or double-click in the terminal takes the whole link and nothing more
    expect(text).toMatch(/^ {4}setupLink: http:\/\/keyturn\.test\/setup\?token=[A-Za-z0-9_-]+$/m);
    expect(text).toMatch(/^ {4}url: http:\/\/keyturn\.test$/m);
    expect(text.match(/setupLink:/g)).toHaveLength(2);
  });

  it('in production, prints JSON and takes out any link that reaches it', async () => {
    const out = capture();
    const log = await createLog({ level: 'info', production: true, pretty: true, destination: out.destination });
    log.info({ setupLink: 'http://keyturn.test/setup?token=abc', nested: { link: 'http://x.test/?token=def' } }, 'oops');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'oops', setupLink: '[Redacted]', nested: { link: '[Redacted]' } });
    expect(out.text()).not.toContain('token=');
  });
});
