import type { TestProject } from 'vitest/node';
import { startPostgresServer } from '../support/postgres.js';

/**
 * Vitest global setup: ONE real PostgreSQL server for the whole run (test/support/postgres.ts).
 * Fails the run with instructions when the PostgreSQL binaries are missing; never skips.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
