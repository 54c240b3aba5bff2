import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { findKubernetesBinaries } from './binaries.js';
import type { AdminCredentials } from './certificates.js';
import { writeKubeconfig } from './kubeconfig.js';

/**
 * What a test needs to reach the test API server, plain data so the global setup can hand it to the
 * test workers: URL, CA bundle, admin credentials and kubeconfig, and a work folder (removed with the
 * server) where per-test kubeconfigs are written.
 */
export interface KubernetesConnection {
  /** https://127.0.0.1:<port> */
  url: string;
  /** CA bundle (PEM) the serving certificate verifies against. */
  caPem: string;
  admin: AdminCredentials;
  /** A kubeconfig for the admin user (group system:masters). */
  kubeconfigPath: string;
  workDir: string;
}

export class KubectlError extends Error {
  override readonly name = 'KubectlError';
  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(' ')} failed (${exitCode}): ${stderr.trim()}`);
  }
}

export interface KubectlOptions {
  /** Written to kubectl's standard input (for `-f -`). */
  input?: string;
  /** Another kubeconfig than the admin's (e.g. from createServiceAccountKubeconfig). */
  kubeconfig?: string;
}

export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** One RBAC policy rule, as in a ClusterRole. */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

export interface ServiceAccountKubeconfigOptions {
  namespace: string;
  name: string;
  /** A ClusterRole manifest to create and bind to the service account... */
  clusterRoleYaml?: string;
  /** ...or the rules of one (named `plane-test:<namespace>:<name>`). Neither: no permissions at all. */
  rules?: PolicyRule[];
  /** Bind the ClusterRole in this namespace only (a RoleBinding) instead of cluster-wide (a ClusterRoleBinding). */
  bindingNamespace?: string;
  tokenExpirationSeconds?: number;
}

export interface ServiceAccountKubeconfig {
  kubeconfigPath: string;
  token: string;
  /** system:serviceaccount:<namespace>:<name> */
  username: string;
  clusterRoleName?: string;
}

/** kubectl (the one built with the API server) against one test API server, and set-up helpers on top. */
export class KubernetesCluster {
  private readonly kubectlPath = findKubernetesBinaries().kubectl;

  constructor(readonly connection: KubernetesConnection) {}

  get url(): string {
    return this.connection.url;
  }

  /** Run kubectl; never throws for a non-zero exit (see `kubectl`). */
  kubectlResult(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
    const fullArgs = ['--kubeconfig', options.kubeconfig ?? this.connection.kubeconfigPath, ...args];
    return new Promise((resolve, reject) => {
      const child = execFile(this.kubectlPath, fullArgs, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      });
      child.stdin?.end(options.input ?? '');
    });
  }

  /** Run kubectl and return its standard output; a KubectlError (with stderr) when it fails. */
  async kubectl(args: string[], options: KubectlOptions = {}): Promise<string> {
    const result = await this.kubectlResult(args, options);
    if (result.exitCode !== 0) throw new KubectlError(args, result.exitCode, result.stderr);
    return result.stdout;
  }

  /** Server-side apply of manifests (YAML, several documents allowed) as the admin. */
  async apply(manifests: string): Promise<void> {
    await this.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=plane-test', '-f', '-'], { input: manifests });
  }

  /** Create a namespace, or add `labels` to the one that exists (other labels stay). */
  async createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    const created = await this.kubectlResult(['create', '-f', '-'], {
      input: stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }),
    });
    if (created.exitCode === 0) return;
    if (!created.stderr.includes('AlreadyExists')) throw new KubectlError(['create', 'namespace', name], created.exitCode, created.stderr);
    const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
    if (pairs.length > 0) await this.kubectl(['label', 'namespace', name, '--overwrite', ...pairs]);
  }

  /**
   * A ServiceAccount (its namespace created when missing), optionally a ClusterRole bound to it, a
   * token for it from the TokenRequest API, and a kubeconfig with that token: for least-privilege tests.
   * Returns once the binding is in force (the RBAC authorizer sees new bindings a moment later).
   */
  async createServiceAccountKubeconfig(options: ServiceAccountKubeconfigOptions): Promise<ServiceAccountKubeconfig> {
    const { namespace, name } = options;
    const username = `system:serviceaccount:${namespace}:${name}`;
    await this.createNamespace(namespace);
    await this.apply(stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }));

    const role = clusterRoleFor(options);
    if (role) {
      const subjects = [{ kind: 'ServiceAccount', name, namespace }];
      const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name };
      const binding = options.bindingNamespace
        ? { kind: 'RoleBinding', metadata: { name: role.name, namespace: options.bindingNamespace } }
        : { kind: 'ClusterRoleBinding', metadata: { name: role.name } };
      await this.apply(
        [role.manifest, stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', ...binding, subjects, roleRef })].join('\n---\n'),
      );
    }

    const expiration = String(options.tokenExpirationSeconds ?? 3600);
    const token = (await this.kubectl(['create', 'token', name, '-n', namespace, `--duration=${expiration}s`])).trim();
    mkdirSync(join(this.connection.workDir, 'kubeconfigs'), { recursive: true });
    const kubeconfigPath = writeKubeconfig(
      join(this.connection.workDir, 'kubeconfigs', `${namespace}.${name}.${randomBytes(4).toString('hex')}.yaml`),
      {
        server: this.connection.url,
        caPem: this.connection.caPem,
        token,
        user: username,
        namespace,
      },
    );
    if (role) await this.waitUntilRulesApply(kubeconfigPath, role.rules, options.bindingNamespace ?? namespace);
    return { kubeconfigPath, token, username, ...(role ? { clusterRoleName: role.name } : {}) };
  }

  /** Until `kubectl auth can-i` (a SelfSubjectAccessReview as the account) allows the first verb on the first resource of every rule. */
  private async waitUntilRulesApply(kubeconfig: string, rules: PolicyRule[], namespace: string): Promise<void> {
    const probes = rules.map((rule) => {
      const verb = rule.verbs[0] ?? 'get';
      if (rule.nonResourceURLs?.[0]) return [verb, rule.nonResourceURLs[0]];
      const group = rule.apiGroups?.[0] ?? '';
      const resource = `${rule.resources?.[0] ?? '*'}${group && group !== '*' ? `.${group}` : ''}`;
      return ['-n', namespace, verb, resource, ...(rule.resourceNames?.[0] ? [rule.resourceNames[0]] : [])];
    });
    const deadline = Date.now() + 15_000;
    for (const probe of probes) {
      const args = ['auth', 'can-i', ...probe];
      while ((await this.kubectlResult(args, { kubeconfig })).exitCode !== 0) {
        if (Date.now() > deadline) throw new Error(`RBAC binding not in force after 15 s: kubectl ${args.join(' ')} still says no`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}

function clusterRoleFor(options: ServiceAccountKubeconfigOptions): { name: string; manifest: string; rules: PolicyRule[] } | undefined {
  if (options.clusterRoleYaml && options.rules) throw new Error('createServiceAccountKubeconfig: give clusterRoleYaml or rules, not both');
  if (options.clusterRoleYaml) {
    const role = parse(options.clusterRoleYaml) as { kind?: string; metadata?: { name?: string }; rules?: PolicyRule[] };
    if (role?.kind !== 'ClusterRole' || !role.metadata?.name) throw new Error('clusterRoleYaml must be one ClusterRole with metadata.name');
    return { name: role.metadata.name, manifest: options.clusterRoleYaml, rules: role.rules ?? [] };
  }
  if (options.rules) {
    const name = `plane-test:${options.namespace}:${options.name}`;
    const manifest = stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: options.rules,
    });
    return { name, manifest, rules: options.rules };
  }
  return undefined;
}
