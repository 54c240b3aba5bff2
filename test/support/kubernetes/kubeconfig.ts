import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** What a kubeconfig for one user of the test API server says. */
export interface KubeconfigSpec {
  server: string;
  caPem: string;
  /** Bearer token (the static admin token, or a service-account token from TokenRequest). */
  token: string;
  /** Names the user and context. */
  user: string;
  /** The context's default namespace. */
  namespace?: string;
}

/** A kubeconfig document with one cluster, user and context (current), token authentication. */
export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const cluster = 'plane-test';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: cluster, cluster: { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caPem).toString('base64') } },
    ],
    users: [{ name: spec.user, user: { token: spec.token } }],
    contexts: [{ name: spec.user, context: { cluster, user: spec.user, ...(spec.namespace ? { namespace: spec.namespace } : {}) } }],
    'current-context': spec.user,
    preferences: {},
  });
}

/** Write the kubeconfig to `path`, readable by the owner only (it holds a token). */
export function writeKubeconfig(path: string, spec: KubeconfigSpec): string {
  writeFileSync(path, kubeconfigYaml(spec), { mode: 0o600 });
  return path;
}
