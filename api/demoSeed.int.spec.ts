import { afterEach, describe, expect, it } from 'vitest';
import { seedDemo } from './demoSeed.js';
import { createTestApp, type TestApp } from './testing/harness.js';

function recordingLog() {
  const lines: { obj: Record<string, unknown>; msg?: string }[] = [];
  const at = (obj: object, msg?: string) => lines.push({ obj: obj as Record<string, unknown>, msg });
  return { log: { info: at, warn: at, error: at }, lines };
}

describe('given an empty store', () => {
  let app: TestApp;
  afterEach(async () => app.stop());

  it('in development, logs the office manager’s setup link so the demo can begin', async () => {
    app = await createTestApp();
    const { log, lines } = recordingLog();
    await seedDemo(app.keyturn.services.core, 'http://keyturn.test', log, { logLink: true });
    expect(lines.at(-1)?.obj).toMatchObject({
      loginName: '100@acme',
      setupLink: expect.stringMatching(/^http:\/\/keyturn\.test\/setup\?token=/),
    });
  });

  it('in production, logs no link: the welcome email carries it', async () => {
    app = await createTestApp();
    const { log, lines } = recordingLog();
    await seedDemo(app.keyturn.services.core, 'http://keyturn.test', log, { logLink: false });
    expect(lines.at(-1)?.obj).toEqual({ loginName: '100@acme' });
    expect(JSON.stringify(lines)).not.toMatch(/token=|setupLink/);
    await app.waitForEmail((m) => m.kind === 'welcome' && m.to.includes('olivia.manager@acme.example'));
  });
});
