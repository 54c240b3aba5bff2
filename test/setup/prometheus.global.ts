import type { TestProject } from 'vitest/node';
import { startPrometheus } from '../support/prometheus.js';

/**
 * Vitest global setup: ONE real Prometheus server for the whole run (test/support/prometheus.ts).
 * Test files share it and keep apart by writing series with their own label values.
 * Fails the run with instructions when the binary is missing; never skips.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPrometheus();
  project.provide('prometheusUrl', server.url);
  return () => server.stop();
}
