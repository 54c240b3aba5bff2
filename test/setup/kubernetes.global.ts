import type { TestProject } from 'vitest/node';
import { startKubeApiServer, type KubeApiServer } from '../support/kubernetes.js';

/**
 * Vitest global setup: ONE real Kubernetes API server (etcd + kube-apiserver, OpenChoreo's CRDs
 * Established) for the whole run (test/support/kubernetes.ts). It never builds anything: the binaries
 * come from `.ci/setup.d/50-kubernetes.sh` (pretest), and a missing one fails the run with
 * instructions; never skips.
 *
 * Vitest imports every global setup file at once but calls their setups one after another, so the
 * server starts when this file is imported, in parallel with the other setups, and setup() awaits it.
 */
const starting: Promise<KubeApiServer> = startKubeApiServer();
// Rejections are reported by setup(); until then, do not let Node call them unhandled.
starting.catch(() => undefined);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await starting;
  project.provide('kubernetes', server.connection);
  return () => server.stop();
}
