import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{api,core,projections,scripts}/**/*.spec.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
