import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // One real server each for the run: PostgreSQL, Prometheus, OpenSearch, Kubernetes API (see test/support/).
    globalSetup: [
      'test/setup/postgres.global.ts',
      'test/setup/prometheus.global.ts',
      'test/setup/opensearch.global.ts',
      'test/setup/kubernetes.global.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
