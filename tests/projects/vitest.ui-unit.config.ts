import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/** Plain functions of the UI (the password/PIN rule mirror), checked against the server's own. */
export default defineProject({
  test: {
    name: 'ui-unit',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['ui/src/**/*.unit.spec.ts'],
  },
});
