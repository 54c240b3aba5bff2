import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net.js';
import { findKubernetesBinaries, REPO_ROOT } from './binaries.js';
import { writeApiServerCredentials, type ApiServerCredentials } from './certificates.js';
import { KubernetesCluster } from './cluster.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ManagedProcess, waitUntil } from './process.js';

/**
 * A throw-away Kubernetes API server on loopback: etcd (Debian's etcd-server) and kube-apiserver
 * (built by .ci/kubernetes/build.sh) on free 127.0.0.1 ports, everything in one temp folder (on
 * tmpfs when there is one: etcd fsyncs every write). No controller-manager or scheduler runs, so:
 * no ServiceAccount admission (it would refuse pods of namespaces without a "default" account, which
 * only the controller-manager creates), no endpoint reconciling (it refuses a loopback advertise
 * address), and a deleted namespace stays Terminating (the namespace controller would empty it).
 */

/** OpenChoreo's CRDs, loaded from the shared reference beside the repo (never copied into it). */
export const OPENCHOREO_CRD_DIR = join(REPO_ROOT, '..', 'shared', 'reference', 'openchoreo-crds');

export interface KubeApiServerOptions {
  /** Apply OpenChoreo's CRDs and wait until all are Established (default true). */
  openChoreoCrds?: boolean;
  /** How long etcd and kube-apiserver may take to become ready, each (default 60 s). */
  readyTimeoutMs?: number;
}

export interface KubeApiServer extends KubernetesCluster {
  /** The CRDs applied (metadata.name), empty when `openChoreoCrds` was false. */
  readonly crdNames: string[];
  /** Milliseconds each start-up step took (etcd, kube-apiserver to /readyz, CRDs Established). */
  readonly startupMs: { etcd: number; apiServer: number; crds: number };
  /** Resident set size of kube-apiserver and etcd, in bytes (Linux). */
  residentBytes(): { apiServer?: number; etcd?: number };
  /** Stop the kube-apiserver process only and start it again on the same port, keys and etcd. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function workRoot(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, 'plane-mcp-kube-'));
}

function crdFiles(): string[] {
  if (!existsSync(OPENCHOREO_CRD_DIR)) throw new Error(`OpenChoreo CRDs not found at ${OPENCHOREO_CRD_DIR} (shared/ beside the repo)`);
  return readdirSync(OPENCHOREO_CRD_DIR).filter((file) => file.endsWith('.yaml'));
}

/** GET `url` trusting only `caPem`; resolves with the status code. */
function httpsStatus(url: string, caPem: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caPem, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function etcdArgs(dataDir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=plane-test',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=plane-test=${peer}`,
    '--logger=zap',
    '--log-level=warn',
  ];
}

function apiServerArgs(credentials: ApiServerCredentials, root: string, etcdPort: number, port: number): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(root, 'apiserver-certs')}`,
    `--tls-cert-file=${credentials.servingCertFile}`,
    `--tls-private-key-file=${credentials.servingKeyFile}`,
    `--token-auth-file=${credentials.tokenAuthFile}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${credentials.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${credentials.serviceAccountPrivateKeyFile}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--endpoint-reconciler-type=none',
    '--disable-admission-plugins=ServiceAccount',
    '--profiling=false',
  ];
}

async function establishedCrds(cluster: KubernetesCluster, names: string[]): Promise<boolean> {
  const list = JSON.parse(await cluster.kubectl(['get', 'crd', '-o', 'json'])) as {
    items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
  };
  const established = new Set(
    list.items
      .filter((crd) => crd.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True'))
      .map((crd) => crd.metadata.name),
  );
  return names.every((name) => established.has(name));
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const binaries = findKubernetesBinaries();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const root = workRoot();
  const processes: ManagedProcess[] = [];
  // A run that ends without teardown kills the processes (ManagedProcess) and leaves no folder behind.
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  process.once('exit', removeRoot);
  const cleanUp = async () => {
    for (const running of processes.splice(0).reverse()) await running.stop();
    process.off('exit', removeRoot);
    removeRoot();
  };
  try {
    const credentials = writeApiServerCredentials(root);
    const [etcdPort, etcdPeerPort, port] = [await freePort(), await freePort(), await freePort()];
    const url = `https://127.0.0.1:${port}`;
    const admin = credentials.admin;

    let started = Date.now();
    const etcd = new ManagedProcess('etcd', binaries.etcd, etcdArgs(join(root, 'etcd'), etcdPort, etcdPeerPort), root);
    processes.push(etcd);
    await waitUntil('etcd health', async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, {
      timeoutMs: readyTimeoutMs,
      process: etcd,
    });
    const etcdMs = Date.now() - started;

    mkdirSync(join(root, 'apiserver-certs'));
    const args = apiServerArgs(credentials, root, etcdPort, port);
    const launch = async () => {
      const apiServer = new ManagedProcess('kube-apiserver', binaries.kubeApiServer, args, root);
      processes.push(apiServer);
      await waitUntil('kube-apiserver /readyz', async () => (await httpsStatus(`${url}/readyz`, credentials.caPem, admin.token)) === 200, {
        timeoutMs: readyTimeoutMs,
        process: apiServer,
      });
      return apiServer;
    };
    started = Date.now();
    let apiServer = await launch();
    const apiServerMs = Date.now() - started;

    const kubeconfigPath = writeKubeconfig(join(root, 'admin.kubeconfig'), {
      server: url,
      caPem: credentials.caPem,
      token: admin.token,
      user: admin.user,
    });
    const cluster = new KubernetesCluster({ url, caPem: credentials.caPem, admin, kubeconfigPath, workDir: root });

    // The API server's bootstrap controller creates "default" a moment after /readyz; later tests rely on it.
    await waitUntil('namespace default', async () => (await cluster.kubectlResult(['get', 'namespace', 'default'])).exitCode === 0, {
      timeoutMs: readyTimeoutMs,
      process: apiServer,
    });

    started = Date.now();
    const crdNames: string[] = [];
    if (options.openChoreoCrds ?? true) {
      const files = crdFiles();
      const fileArgs = files.flatMap((file) => ['-f', join(OPENCHOREO_CRD_DIR, file)]);
      const applied = await cluster.kubectl(['apply', '--server-side', '--field-manager=plane-test', '-o', 'name', ...fileArgs]);
      crdNames.push(
        ...applied.split('\n').flatMap((line) => /^customresourcedefinition\.apiextensions\.k8s\.io\/(.+)$/.exec(line.trim())?.[1] ?? []),
      );
      if (crdNames.length !== files.length) throw new Error(`kubectl applied ${crdNames.length} of ${files.length} CRDs:\n${applied}`);
      // One list per poll: `kubectl wait -f <37 files>` takes ~5 s even when all are Established already.
      await waitUntil('OpenChoreo CRDs Established', async () => establishedCrds(cluster, crdNames), {
        timeoutMs: readyTimeoutMs,
        process: apiServer,
        intervalMs: 200,
      });
    }
    const crdsMs = Date.now() - started;

    return Object.assign(cluster, {
      crdNames,
      startupMs: { etcd: etcdMs, apiServer: apiServerMs, crds: crdsMs },
      residentBytes: () => ({ apiServer: apiServer.residentBytes(), etcd: etcd.residentBytes() }),
      restart: async () => {
        await apiServer.stop();
        processes.splice(processes.indexOf(apiServer), 1);
        apiServer = await launch();
      },
      stop: cleanUp,
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
