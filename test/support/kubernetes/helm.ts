import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findHelm } from './binaries.js';
import type { KubernetesConnection } from './cluster.js';

export class HelmError extends Error {
  override readonly name = 'HelmError';
  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`helm ${args.join(' ')} failed (${exitCode}): ${stderr.trim()}`);
  }
}

/**
 * Run the helm built by `.ci/helm/build.sh` against the test API server (admin kubeconfig unless
 * another is given), with its cache, config and data folders inside the server's work folder so
 * tests never read or write the user's ~/.config/helm. Resolves with standard output.
 */
export function runHelm(connection: KubernetesConnection, args: string[], options: { kubeconfig?: string } = {}): Promise<string> {
  const home = join(connection.workDir, 'helm');
  mkdirSync(home, { recursive: true });
  const env = {
    ...process.env,
    KUBECONFIG: options.kubeconfig ?? connection.kubeconfigPath,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  return new Promise((resolve, reject) => {
    execFile(findHelm(), args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if (typeof error.code === 'number') return reject(new HelmError(args, error.code, stderr));
      reject(error);
    });
  });
}
