import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the Kubernetes test binaries are. kube-apiserver, kubectl and helm are built from the Go module
 * proxy by `.ci/kubernetes/build.sh` and `.ci/helm/build.sh` (run by `.ci/setup.d/50-kubernetes.sh`,
 * `60-helm.sh`) into a cache outside the clone; this computes the same folder as `.ci/lib/go-tools.sh`
 * and reads the versions from the same go.mod files. etcd comes from Debian's etcd-server (PATH).
 * Nothing here builds: a missing binary is an error with instructions.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export class KubernetesBinariesMissingError extends Error {
  override readonly name = 'KubernetesBinariesMissingError';
}

export interface KubernetesBinaries {
  etcd: string;
  kubeApiServer: string;
  kubectl: string;
  /** The k8s.io/kubernetes version the binaries were built from, e.g. v1.37.2. */
  version: string;
}

/** $PLANE_TOOLS_CACHE, else $XDG_CACHE_HOME/plane-mcp, else ~/.cache/plane-mcp; binaries under bin/. */
export function toolsBinRoot(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.PLANE_TOOLS_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'plane-mcp');
  return join(cache, 'bin');
}

/** The version `<repo>/<moduleDir>/go.mod` requires of `module`. */
export function requiredGoModuleVersion(moduleDir: string, module: string): string {
  const goMod = readFileSync(join(REPO_ROOT, moduleDir, 'go.mod'), 'utf8');
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^(?:require)?[ \\t]+${escaped}[ \\t]+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`${moduleDir}/go.mod does not require ${module}`);
  return match[1];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(program: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, program))
    .find(isExecutable);
}

const BUILD_HINT =
  'run `bash .ci/setup.d/50-kubernetes.sh` (it installs etcd and builds kube-apiserver + kubectl from the Go module proxy; ' +
  '`npm test` runs it as pretest), or set PLANE_TEST_KUBE_BIN to a folder holding kube-apiserver and kubectl and PLANE_TEST_ETCD to an etcd binary.';

/** etcd, kube-apiserver and kubectl, or a KubernetesBinariesMissingError saying how to get them. */
export function findKubernetesBinaries(): KubernetesBinaries {
  const version = requiredGoModuleVersion('.ci/kubernetes', 'k8s.io/kubernetes');
  const binDir = process.env.PLANE_TEST_KUBE_BIN || join(toolsBinRoot(), `kubernetes-${version}`);
  const kubeApiServer = join(binDir, 'kube-apiserver');
  const kubectl = join(binDir, 'kubectl');
  const etcd = process.env.PLANE_TEST_ETCD || onPath('etcd');
  const missing = [
    ...(etcd && isExecutable(etcd) ? [] : ['etcd (Debian package etcd-server)']),
    ...(isExecutable(kubeApiServer) ? [] : [kubeApiServer]),
    ...(isExecutable(kubectl) ? [] : [kubectl]),
  ];
  if (missing.length > 0 || !etcd) {
    throw new KubernetesBinariesMissingError(
      `The Kubernetes tests need a real API server, but these are missing: ${missing.join(', ')}. To get them, ${BUILD_HINT}`,
    );
  }
  return { etcd, kubeApiServer, kubectl, version };
}

/** The helm built by `.ci/helm/build.sh` (or $PLANE_TEST_HELM). */
export function findHelm(): string {
  const version = requiredGoModuleVersion('.ci/helm', 'helm.sh/helm/v4');
  const helm = process.env.PLANE_TEST_HELM || join(toolsBinRoot(), `helm-${version}`, 'helm');
  if (!isExecutable(helm)) {
    throw new KubernetesBinariesMissingError(
      `helm ${version} was not found at ${helm}: run \`bash .ci/setup.d/60-helm.sh\` (it builds it from the Go module proxy), or set PLANE_TEST_HELM.`,
    );
  }
  return helm;
}
