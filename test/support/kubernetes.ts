import { KubernetesCluster, type KubernetesConnection } from './kubernetes/cluster.js';

/**
 * One real Kubernetes API server for the whole test run, carrying OpenChoreo's 37 CRDs (started by
 * `test/setup/kubernetes.global.ts`; see `kubernetes/api-server.ts`). Test files share it and keep
 * apart by using namespaces (and cluster-scoped names) of their own. A test that stops or restarts
 * the server starts its own with `startKubeApiServer`.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's Kubernetes API server: URL, CA bundle, admin credentials and kubeconfig, work folder. */
    kubernetes: KubernetesConnection;
  }
}

export { findHelm, findKubernetesBinaries, KubernetesBinariesMissingError } from './kubernetes/binaries.js';
export type { AdminCredentials } from './kubernetes/certificates.js';
export { KubectlError, KubernetesCluster } from './kubernetes/cluster.js';
export type {
  KubectlOptions,
  KubectlResult,
  KubernetesConnection,
  PolicyRule,
  ServiceAccountKubeconfig,
  ServiceAccountKubeconfigOptions,
} from './kubernetes/cluster.js';
export { OPENCHOREO_CRD_DIR, startKubeApiServer } from './kubernetes/api-server.js';
export type { KubeApiServer, KubeApiServerOptions } from './kubernetes/api-server.js';
export { kubeconfigYaml, writeKubeconfig } from './kubernetes/kubeconfig.js';

/** The run's API server, provided by the global setup, with kubectl and the set-up helpers. */
export async function kubernetesCluster(): Promise<KubernetesCluster> {
  const { inject } = await import('vitest');
  const connection = inject('kubernetes');
  if (!connection) throw new Error('no Kubernetes test server: is test/setup/kubernetes.global.ts registered as a vitest globalSetup?');
  return new KubernetesCluster(connection);
}
export { loadSampleDocuments, OPENCHOREO_SAMPLES_DIR } from './kubernetes/samples.js';
export type { KubernetesManifest, SampleDocument } from './kubernetes/samples.js';
export { HelmError, runHelm } from './kubernetes/helm.js';
