import { defineConfig } from 'vitest/config';

// Each file in tests/projects is one vitest project (embedded SQLite, MongoDB via FerretDB, UI in a
// real browser); `npm test` runs them all.
export default defineConfig({
  test: {
    projects: ['tests/projects/vitest.*.config.ts'],
  },
});
