import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // One real PostgreSQL server for the run (the PostgreSQL store tests); see test/support/postgres.ts.
    globalSetup: ['test/setup/postgres.global.ts', 'test/setup/prometheus.global.ts', 'test/setup/opensearch.global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
