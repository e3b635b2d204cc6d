import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../api/testing/service.js';

/**
 * The production image runs `node dist/api/main.js`: the TypeScript compiled by `npm run build`,
 * without tsx. This builds it as the image does and starts it on a fresh data directory.
 */
describe('given the service compiled with npm run build', () => {
  it('starts with node alone, answers GraphQL and serves the UI', { timeout: 180_000 }, async () => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'pipe' });
    expect(existsSync('dist/api/main.js')).toBe(true);
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/api/main.js'], {
      env: {
        ...process.env,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'keyturn-compiled-')),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      const until = Date.now() + 30_000;
      while (
        !(await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (child.exitCode !== null || Date.now() > until)
          throw new Error(`the compiled service did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const answer = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ setupLink(token: "nothing") { status } }' }),
      }).then((r) => r.json());
      expect(answer).toEqual({ data: { setupLink: { status: 'INVALID' } } });
      // The UI is served when it has been built (the ui project's global setup builds it).
      if (existsSync('ui/build/handler.js')) expect((await fetch(`${base}/sign-in`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
