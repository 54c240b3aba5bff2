import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  HelmError,
  KubectlError,
  kubernetesCluster,
  loadSampleDocuments,
  OPENCHOREO_CRD_DIR,
  runHelm,
  startKubeApiServer,
  type KubeApiServer,
  type KubernetesCluster,
  type KubernetesManifest,
} from '../support/kubernetes.js';

/** The test infrastructure itself: the run's real API server carries OpenChoreo's CRDs, validates strictly, enforces RBAC. */

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const OPENCHOREO_GROUP = 'openchoreo.dev';

let cluster: KubernetesCluster;
beforeAll(async () => {
  cluster = await kubernetesCluster();
});

interface CustomResourceDefinitionList {
  items: { metadata: { name: string }; spec: { group: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

describe('the run’s Kubernetes API server', () => {
  it('has every OpenChoreo CRD Established', async () => {
    const list = JSON.parse(await cluster.kubectl(['get', 'crd', '-o', 'json'])) as CustomResourceDefinitionList;
    const openChoreo = list.items.filter((crd) => crd.spec.group === OPENCHOREO_GROUP);
    const expected = readdirSync(OPENCHOREO_CRD_DIR)
      .filter((file) => file.startsWith('openchoreo.dev_') && file.endsWith('.yaml'))
      .map((file) => `${file.slice('openchoreo.dev_'.length, -'.yaml'.length)}.openchoreo.dev`)
      .sort();
    expect(expected).toHaveLength(37);
    expect(openChoreo.map((crd) => crd.metadata.name).sort()).toEqual(expected);
    for (const crd of openChoreo) {
      expect(crd.status?.conditions?.find((condition) => condition.type === 'Established')?.status, crd.metadata.name).toBe('True');
    }
  });

  describe('server-side dry-run apply with strict field validation', () => {
    let folder: string;
    beforeAll(() => {
      folder = mkdtempSync(join(cluster.connection.workDir, 'samples-'));
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    /** Write a sample's OpenChoreo objects under `folder` (one file per sample file, so kubectl's errors name it), create their namespaces, dry-run apply. */
    async function dryRunApplySample(sampleDir: string): Promise<{ output: string; applied: number; otherKinds: string[] }> {
      const documents = loadSampleDocuments(sampleDir);
      const ours = documents.filter(({ manifest }) => manifest.apiVersion.startsWith(`${OPENCHOREO_GROUP}/`));
      for (const file of new Set(ours.map((document) => document.file))) {
        const path = join(folder, file);
        const inFile = ours.filter((document) => document.file === file);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, inFile.map(({ manifest }) => stringify(manifest)).join('---\n'));
      }
      for (const namespace of new Set(ours.flatMap(({ manifest }) => manifest.metadata.namespace ?? [])))
        await cluster.createNamespace(namespace);
      const output = await cluster.kubectl([
        'apply',
        '--server-side',
        '--dry-run=server',
        '--validate=strict',
        '--field-manager=plane-test',
        '--recursive',
        '-f',
        join(folder, sampleDir),
      ]);
      const otherKinds = [
        ...new Set(
          documents.filter((document) => !ours.includes(document)).map(({ manifest }) => `${manifest.apiVersion} ${manifest.kind}`),
        ),
      ];
      return { output, applied: ours.length, otherKinds };
    }

    it('accepts every OpenChoreo object of the getting-started sample', async () => {
      const { output, applied, otherKinds } = await dryRunApplySample('getting-started');
      expect(applied).toBeGreaterThan(20);
      expect(output.match(/serverside-applied \(server dry run\)/g)).toHaveLength(applied);
      // The sample also ships Argo Workflows templates, whose CRDs are not OpenChoreo's.
      expect(otherKinds).toEqual(['argoproj.io/v1alpha1 ClusterWorkflowTemplate']);
    });

    it('accepts every object of the gcp-microservices-demo sample', async () => {
      const { output, applied, otherKinds } = await dryRunApplySample('gcp-microservices-demo');
      expect(applied).toBeGreaterThan(20);
      expect(output.match(/serverside-applied \(server dry run\)/g)).toHaveLength(applied);
      expect(otherKinds).toEqual([]);
    });

    const wrongProject = () => {
      const project = loadSampleDocuments('gcp-microservices-demo').find(({ manifest }) => manifest.kind === 'Project')!.manifest;
      const name = unique('strict');
      const spec = { ...(project.spec as object), deploymentPipelineReference: { name: 'default' } };
      return { name, yaml: stringify({ ...project, metadata: { name, namespace: 'default' }, spec }) };
    };

    it('refuses an applied object with an unknown field, naming the field, and stores nothing', async () => {
      const { name, yaml } = wrongProject();
      const result = await cluster.kubectlResult(['apply', '--server-side', '--validate=strict', '--field-manager=plane-test', '-f', '-'], {
        input: yaml,
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('.spec.deploymentPipelineReference: field not declared in schema');
      const lookup = await cluster.kubectlResult(['get', 'projects.openchoreo.dev', name, '-n', 'default']);
      expect(lookup.stderr).toContain('NotFound');
    });

    it('refuses a created object with an unknown field (POST with fieldValidation=Strict)', async () => {
      const { name, yaml } = wrongProject();
      const result = await cluster.kubectlResult(['create', '--validate=strict', '-f', '-'], { input: yaml });
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('unknown field "spec.deploymentPipelineReference"');
      const lookup = await cluster.kubectlResult(['get', 'projects.openchoreo.dev', name, '-n', 'default']);
      expect(lookup.stderr).toContain('NotFound');
    });
  });

  describe('service-account kubeconfigs (TokenRequest, RBAC)', () => {
    const namespace = unique('sa');
    const component = loadSampleDocuments('gcp-microservices-demo').find(({ manifest }) => manifest.kind === 'Component')!.manifest;
    const componentRef = { group: OPENCHOREO_GROUP, version: 'v1alpha1', namespace, plural: 'components' };
    const customObjects = (kubeconfigPath: string) => {
      const config = new KubeConfig();
      config.loadFromFile(kubeconfigPath);
      return config.makeApiClient(CustomObjectsApi);
    };
    const statusOf = (call: Promise<unknown>) =>
      call.then(
        () => 200,
        (error: unknown) => (error instanceof ApiException ? error.code : Promise.reject(error)),
      );

    beforeAll(async () => {
      await cluster.createNamespace(namespace, { 'openchoreo.dev/control-plane': 'true' });
      await cluster.apply(stringify({ ...component, metadata: { name: component.metadata.name, namespace } }));
    });

    it('with only get on components: can get one, cannot list or create (403)', async () => {
      const account = await cluster.createServiceAccountKubeconfig({
        namespace,
        name: 'component-reader',
        rules: [{ apiGroups: [OPENCHOREO_GROUP], resources: ['components'], verbs: ['get'] }],
      });
      expect(account.username).toBe(`system:serviceaccount:${namespace}:component-reader`);
      const api = customObjects(account.kubeconfigPath);
      const got = (await api.getNamespacedCustomObject({ ...componentRef, name: component.metadata.name })) as KubernetesManifest;
      expect(got.metadata.name).toBe(component.metadata.name);
      expect(await statusOf(api.listNamespacedCustomObject(componentRef))).toBe(403);
      const created = api.createNamespacedCustomObject({ ...componentRef, body: { ...component, metadata: { name: 'other', namespace } } });
      expect(await statusOf(created)).toBe(403);
      const whoami = JSON.parse(await cluster.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: account.kubeconfigPath })) as {
        status: { userInfo: { username: string } };
      };
      expect(whoami.status.userInfo.username).toBe(account.username);
    });

    it('without a role: cannot even get (403), and kubectl says Forbidden', async () => {
      const account = await cluster.createServiceAccountKubeconfig({ namespace, name: 'nobody' });
      expect(account.clusterRoleName).toBeUndefined();
      const api = customObjects(account.kubeconfigPath);
      expect(await statusOf(api.getNamespacedCustomObject({ ...componentRef, name: component.metadata.name }))).toBe(403);
      const denied = cluster.kubectl(['get', 'components.openchoreo.dev', '-n', namespace], { kubeconfig: account.kubeconfigPath });
      await expect(denied).rejects.toBeInstanceOf(KubectlError);
      await expect(denied).rejects.toThrow(/Forbidden/);
    });

    it('creates pods without a controller-manager (no ServiceAccount admission waiting for a default account)', async () => {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'idle', namespace },
        spec: { containers: [{ name: 'idle', image: 'idle:0' }] },
      };
      await cluster.apply(stringify(pod));
      expect(await cluster.kubectl(['get', 'pod', 'idle', '-n', namespace, '-o', 'jsonpath={.status.phase}'])).toBe('Pending');
    });
  });
});

describe('helm against the run’s API server', () => {
  /** A chart with one ConfigMap, requiring the server to report a real Kubernetes version (the build stamps v1.37.2). */
  function writeChart(kubeVersion: string): string {
    const chart = mkdtempSync(join(cluster.connection.workDir, 'chart-'));
    mkdirSync(join(chart, 'templates'));
    writeFileSync(join(chart, 'Chart.yaml'), stringify({ apiVersion: 'v2', name: 'probe', version: '0.1.0', kubeVersion }));
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, data: { release: '{{ .Release.Name }}' } };
    writeFileSync(join(chart, 'templates', 'configmap.yaml'), stringify(configMap));
    return chart;
  }

  it('installs a chart whose kubeVersion the server satisfies', async () => {
    const namespace = unique('helm');
    await cluster.createNamespace(namespace);
    await runHelm(cluster.connection, ['install', 'probe', writeChart('>=1.30.0-0'), '--namespace', namespace, '--wait']);
    expect(await cluster.kubectl(['get', 'configmap', 'probe', '-n', namespace, '-o', 'jsonpath={.data.release}'])).toBe('probe');
  });

  it('refuses a chart for another Kubernetes version', async () => {
    const namespace = unique('helm');
    await cluster.createNamespace(namespace);
    const install = runHelm(cluster.connection, ['install', 'probe', writeChart('<1.30.0-0'), '--namespace', namespace]);
    await expect(install).rejects.toBeInstanceOf(HelmError);
    await expect(install).rejects.toThrow(/incompatible with Kubernetes v1\.37\.2/);
  });
});

describe('a private API server, restarted mid-run', () => {
  let server: KubeApiServer;
  beforeAll(async () => {
    server = await startKubeApiServer({ openChoreoCrds: false });
  }, 120_000);
  afterAll(() => server?.stop());

  it('answers again on the same URL with the same data and still accepts tokens issued before', async () => {
    await server.createNamespace('before-restart', { marker: 'kept' });
    const account = await server.createServiceAccountKubeconfig({
      namespace: 'before-restart',
      name: 'reader',
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }],
    });
    const url = server.url;

    await server.restart();

    expect(server.url).toBe(url);
    expect(await server.kubectl(['get', 'namespace', 'before-restart', '-o', 'jsonpath={.metadata.labels.marker}'])).toBe('kept');
    expect(await server.kubectl(['get', 'namespace', 'before-restart', '-o', 'name'], { kubeconfig: account.kubeconfigPath })).toBe(
      'namespace/before-restart\n',
    );
  }, 120_000);
});
