import type { TestProject } from 'vitest/node';
import { startOpenSearch } from '../support/opensearch.js';

/**
 * Vitest global setup: ONE real OpenSearch for the whole run (test/support/opensearch.ts). Test files
 * share it and keep apart by using their own index prefixes. Fails the run with instructions when Java
 * or Maven is missing; never skips.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startOpenSearch();
  project.provide('opensearchUrl', server.url);
  return () => server.stop();
}
