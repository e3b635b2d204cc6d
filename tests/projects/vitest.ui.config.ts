import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/**
 * The UI in a real browser: Debian's Chromium (playwright-core) against the real service started
 * like `npm start`. No Chromium means failed tests, never skipped ones.
 */
export default defineProject({
  test: {
    name: 'ui',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['ui/e2e/**/*.e2e.spec.ts'],
    globalSetup: ['ui/e2e/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
