#!/usr/bin/env node
// Builds the UI (`npm run build -w ui`) when `ui/build` is missing or older than anything it is built
// from. `npm start` and the browser tests run this first, so a fresh clone works with `npm ci && npm start`.
// A lock directory keeps two processes in this tree (a test run and an `npm start`) from building at once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(ui, '..');
const output = join(ui, 'build', 'handler.js');
const inputs = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((p) => join(ui, p));
inputs.push(join(root, 'schema.graphql'));
const generated = join(ui, 'src', 'lib', 'graphql', 'graphql-env.d.ts');
const lock = join(ui, '.build-lock');

/** @param {string} path @returns {number} newest modification time under `path` */
function newest(path) {
  if (!existsSync(path) || path === generated) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const stale = () => !existsSync(output) || Math.max(...inputs.map(newest)) > statSync(output).mtimeMs;

function acquire() {
  const until = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      // a lock older than 10 minutes belongs to a build that died
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > until) throw new Error(`another UI build holds ${lock}; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

if (stale()) {
  acquire();
  try {
    // Someone else may have built it while this process waited for the lock.
    if (stale()) {
      console.log('Building the UI (ui/build is missing or older than its sources)…');
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const result = spawnSync(npm, ['run', 'build', '-w', 'ui'], { cwd: root, stdio: 'inherit' });
      if (result.status !== 0) process.exit(result.status ?? 1);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
