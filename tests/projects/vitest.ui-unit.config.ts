import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/** Plain functions of the UI (the password/PIN rule mirror, the audit wording), checked against the server's own. */
export default defineProject({
  // the UI's own import alias, as SvelteKit resolves it in the app
  resolve: { alias: { $lib: fileURLToPath(new URL('../../ui/src/lib', import.meta.url)) } },
  test: {
    name: 'ui-unit',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['ui/src/**/*.unit.spec.ts'],
  },
});
