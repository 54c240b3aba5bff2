import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESOURCE_KINDS, type ResourceKind } from '../../servers/control-plane/domain/resources.js';
import { applyDirectory, listYamlFiles } from '../../servers/control-plane/gitops/apply-directory.js';
import { exportDirectory } from '../../servers/control-plane/gitops/export-directory.js';
import { DEMO_ORGANISATION_DIR, loadDemoOrganisationIfEmpty } from '../../servers/control-plane/gitops/load-demo.js';
import type { Actor, ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { SqliteResourceStore } from '../../servers/control-plane/store/sqlite-store.js';

const actor: Actor = { subject: 'gitops-test', clientId: 'vitest' };

let tmp: string;
const stores: ResourceStore[] = [];

function openStore(name: string): ResourceStore {
  const store = new SqliteResourceStore(path.join(tmp, `${name}.sqlite`));
  stores.push(store);
  return store;
}

async function readTree(dir: string): Promise<Map<string, string>> {
  const tree = new Map<string, string>();
  for (const file of await listYamlFiles(dir)) tree.set(file, await readFile(path.join(dir, file), 'utf8'));
  return tree;
}

async function countsByKind(store: ResourceStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const kind of RESOURCE_KINDS) counts[kind] = await store.count(kind);
  return counts;
}

async function versions(store: ResourceStore): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  const namespaces = (await store.list({ kind: 'Namespace', limit: 1000 })).items;
  for (const ns of namespaces) {
    out.set(`Namespace ${ns.metadata.name}`, ns.metadata.resourceVersion);
    for (const kind of RESOURCE_KINDS.filter((k): k is Exclude<ResourceKind, 'Namespace'> => k !== 'Namespace')) {
      for (const item of (await store.list({ kind, namespace: ns.metadata.name, limit: 1000 })).items) {
        out.set(`${kind} ${ns.metadata.name}/${item.metadata.name}`, `${item.metadata.resourceVersion}@${item.metadata.updatedAt}`);
      }
    }
  }
  return out;
}

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'plane-gitops-'));
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('applyDirectory: the demo organisation', () => {
  it('loads every object into an empty store, in dependency order', async () => {
    const store = openStore('demo');
    const report = await applyDirectory(store, DEMO_ORGANISATION_DIR, actor);
    expect(report.errors).toEqual([]);
    expect(report.updated).toEqual([]);
    expect(report.unchanged).toEqual([]);
    expect(await countsByKind(store)).toEqual({
      Namespace: 1,
      Environment: 3,
      DeploymentPipeline: 1,
      ComponentType: 2,
      Workflow: 1,
      Project: 2,
      Component: 11,
      ComponentRelease: 11,
      ReleaseBinding: 11,
      WorkflowRun: 1,
    });
    expect(report.created).toHaveLength(44);
    // Namespaces first, then environments … workflow runs last.
    expect(report.created[0]).toBe('Namespace default');
    expect(report.created.at(-1)).toBe('WorkflowRun default/greeting-service-build-01');
  });

  it('models Online Boutique and the greeter as the reference does', async () => {
    const store = openStore('demo');
    await applyDirectory(store, DEMO_ORGANISATION_DIR, actor);

    const production = await store.get('Environment', 'default', 'production');
    expect(production?.spec.isProduction).toBe(true);
    expect((await store.get('Environment', 'default', 'development'))?.spec.isProduction).toBe(false);
    const pipeline = await store.get('DeploymentPipeline', 'default', 'default');
    expect(pipeline?.spec.promotionPaths.map((p) => [p.sourceEnvironmentRef, p.targetEnvironmentRefs.map((t) => t.name)])).toEqual([
      ['development', ['staging']],
      ['staging', ['production']],
    ]);
    const service = await store.get('ComponentType', 'default', 'service');
    expect(service?.spec).toMatchObject({
      workloadType: 'deployment',
      defaults: { replicas: 1, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '100m', memory: '256Mi' } } },
      allowedWorkflows: ['dockerfile-builder'],
    });
    const workflow = await store.get('Workflow', 'default', 'dockerfile-builder');
    expect(workflow?.spec.tasks.map((t) => t.name)).toEqual(['checkout-source', 'build-image', 'publish-image', 'generate-workload']);
    expect(workflow?.spec.parameters['branch']?.default).toBe('main');

    const boutique = (await store.list({ kind: 'Component', namespace: 'default', project: 'gcp-microservice-demo', limit: 100 })).items;
    expect(boutique.map((c) => c.metadata.name).sort()).toEqual(
      ['ad', 'cart', 'checkout', 'currency', 'email', 'frontend', 'payment', 'productcatalog', 'recommendation', 'shipping'].sort(),
    );
    const frontend = boutique.find((c) => c.metadata.name === 'frontend');
    expect(frontend?.spec.componentType).toBe('deployment/web-application');
    expect(frontend?.spec.endpoints['http']).toMatchObject({ type: 'HTTP', port: 8080, visibility: ['external'] });
    expect(frontend?.spec.image).toBe('us-central1-docker.pkg.dev/google-samples/microservices-demo/frontend:v0.10.5');
    expect(frontend?.spec.dependencies).toHaveLength(8);
    expect(frontend?.spec.dependencies).toContainEqual({
      component: 'productcatalog',
      endpoint: 'grpc',
      envVar: 'PRODUCT_CATALOG_SERVICE_ADDR',
    });
    const checkout = boutique.find((c) => c.metadata.name === 'checkout');
    expect(checkout?.spec.componentType).toBe('deployment/service');
    expect(checkout?.spec.endpoints['grpc']).toMatchObject({ type: 'gRPC', port: 5050 });
    expect(checkout?.spec.dependencies.map((d) => d.component)).toEqual([
      'productcatalog',
      'shipping',
      'payment',
      'email',
      'currency',
      'cart',
    ]);
    const ports = Object.fromEntries(boutique.map((c) => [c.metadata.name, Object.values(c.spec.endpoints)[0]?.port]));
    expect(ports).toEqual({
      frontend: 8080,
      checkout: 5050,
      productcatalog: 3550,
      recommendation: 8080,
      currency: 7000,
      payment: 50051,
      email: 5000,
      shipping: 50055,
      ad: 9555,
      cart: 7070,
    });

    for (const component of boutique) {
      const name = component.metadata.name;
      const release = await store.get('ComponentRelease', 'default', `${name}-v0-10-5`);
      expect(release?.spec).toMatchObject({
        owner: { projectName: 'gcp-microservice-demo', componentName: name },
        componentType: component.spec.componentType,
        image: component.spec.image,
        endpoints: component.spec.endpoints,
        dependencies: component.spec.dependencies,
        defaults: { replicas: 1 },
      });
      const binding = await store.get('ReleaseBinding', 'default', `${name}-development`);
      expect(binding?.spec).toMatchObject({ environment: 'development', releaseName: `${name}-v0-10-5`, state: 'Active' });
    }

    const greeter = await store.get('Component', 'default', 'greeting-service');
    expect(greeter?.spec).toMatchObject({
      owner: { projectName: 'default' },
      componentType: 'deployment/service',
      endpoints: { 'greeter-api': { type: 'HTTP', port: 9090, visibility: ['external'] } },
      workflow: {
        name: 'dockerfile-builder',
        parameters: {
          repository: 'https://github.com/openchoreo/sample-workloads',
          branch: 'main',
          appPath: '/service-go-greeter',
          dockerfilePath: '/service-go-greeter/Dockerfile',
        },
      },
    });
    const run = await store.get('WorkflowRun', 'default', 'greeting-service-build-01');
    expect(run?.spec.owner).toEqual({ projectName: 'default', componentName: 'greeting-service' });
    expect(run?.metadata.labels).toMatchObject({ 'openchoreo.dev/project': 'default', 'openchoreo.dev/component': 'greeting-service' });
    expect(run?.status?.phase).toBe('Succeeded');
    expect(run?.status?.releaseName).toBe('greeting-service-build-01');
    expect(run?.status?.tasks.map((t) => [t.name, t.phase])).toEqual([
      ['checkout-source', 'Succeeded'],
      ['build-image', 'Succeeded'],
      ['publish-image', 'Succeeded'],
      ['generate-workload', 'Succeeded'],
    ]);
    for (const task of run?.status?.tasks ?? [])
      expect(Date.parse(task.completedAt ?? '')).toBeGreaterThan(Date.parse(task.startedAt ?? ''));
    expect(await store.get('ComponentRelease', 'default', 'greeting-service-build-01')).toBeDefined();
    expect((await store.get('ReleaseBinding', 'default', 'greeting-service-development'))?.spec.releaseName).toBe(
      'greeting-service-build-01',
    );
  });

  it('is idempotent: a second apply changes nothing and bumps no version', async () => {
    const store = openStore('demo');
    await applyDirectory(store, DEMO_ORGANISATION_DIR, actor);
    const before = await versions(store);
    const again = await applyDirectory(store, DEMO_ORGANISATION_DIR, { subject: 'someone-else', clientId: 'other' });
    expect(again.errors).toEqual([]);
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.unchanged).toHaveLength(44);
    expect(await versions(store)).toEqual(before);
  });

  it('updates only what differs, and keeps the stored status when the file sets none', async () => {
    const store = openStore('demo');
    await applyDirectory(store, DEMO_ORGANISATION_DIR, actor);
    // The data plane reports status on a binding; re-applying the binding must not erase it.
    await store.modify('ReleaseBinding', 'default', 'cart-development', actor, (binding) => ({
      ...binding,
      status: { readyReplicas: 1, desiredReplicas: 1, conditions: [], endpoints: [] },
    }));
    const dir = path.join(tmp, 'changed');
    await mkdir(dir);
    await writeFile(
      path.join(dir, 'cart.yaml'),
      `apiVersion: openchoreo.dev/v1alpha1
kind: ReleaseBinding
metadata: { name: cart-development, namespace: default }
spec:
  owner: { projectName: gcp-microservice-demo, componentName: cart }
  environment: development
  releaseName: cart-v0-10-5
  overrides: { replicas: 2 }
---
apiVersion: openchoreo.dev/v1alpha1
kind: Environment
metadata: { name: staging, namespace: default, annotations: { openchoreo.dev/display-name: Staging, openchoreo.dev/description: "Production-like rehearsal before a release goes live." } }
spec: { isProduction: false }
`,
    );
    const report = await applyDirectory(store, dir, actor);
    expect(report.errors).toEqual([]);
    expect(report.updated).toEqual(['ReleaseBinding default/cart-development']);
    expect(report.unchanged).toEqual(['Environment default/staging']);
    const binding = await store.get('ReleaseBinding', 'default', 'cart-development');
    expect(binding?.spec.overrides.replicas).toBe(2);
    expect(binding?.status?.readyReplicas).toBe(1);
  });

  it('loadDemoOrganisationIfEmpty loads once', async () => {
    const store = openStore('demo');
    expect(await loadDemoOrganisationIfEmpty(store, actor)).toBe(true);
    expect(await store.count()).toBe(44);
    expect(await loadDemoOrganisationIfEmpty(store, actor)).toBe(false);
    expect(await store.count()).toBe(44);
  });
});

describe('exportDirectory', () => {
  it('round-trips: export → apply into an empty store → export is byte-identical', async () => {
    const first = openStore('first');
    await applyDirectory(first, DEMO_ORGANISATION_DIR, actor);
    const exportOne = path.join(tmp, 'export-1');
    const one = await exportDirectory(first, exportOne);
    expect(one.files).toHaveLength(44);
    expect(one.files).toContain('default/namespace.yaml');
    expect(one.files).toContain('default/components/frontend.yaml');
    expect(one.files).toContain('default/release-bindings/frontend-development.yaml');
    expect(one.files).toContain('default/workflow-runs/greeting-service-build-01.yaml');

    const text = await readFile(path.join(exportOne, 'default/components/frontend.yaml'), 'utf8');
    expect(
      text.startsWith('apiVersion: openchoreo.dev/v1alpha1\nkind: Component\nmetadata:\n  name: frontend\n  namespace: default\n'),
    ).toBe(true);
    expect(text).not.toMatch(/resourceVersion|createdAt|updatedAt|plane-mcp\.dev\/changed-/);

    const second = openStore('second');
    const applied = await applyDirectory(second, exportOne, { subject: 'another-actor', clientId: 'other' });
    expect(applied.errors).toEqual([]);
    expect(applied.created).toHaveLength(44);
    const exportTwo = path.join(tmp, 'export-2');
    await exportDirectory(second, exportTwo);

    const treeOne = await readTree(exportOne);
    const treeTwo = await readTree(exportTwo);
    expect([...treeTwo.keys()]).toEqual([...treeOne.keys()]);
    for (const [file, content] of treeOne) expect(treeTwo.get(file), file).toBe(content);

    // Re-exporting over the same tree writes nothing; applying the export to its source changes nothing.
    expect((await exportDirectory(second, exportOne)).changed).toEqual([]);
    const noop = await applyDirectory(first, exportOne, actor);
    expect(noop.unchanged).toHaveLength(44);
    expect(noop.updated).toEqual([]);
  });

  it('prunes files of deleted objects and leaves other files alone', async () => {
    const store = openStore('prune');
    await applyDirectory(store, DEMO_ORGANISATION_DIR, actor);
    const dir = path.join(tmp, 'export');
    await exportDirectory(store, dir);
    await writeFile(path.join(dir, 'README.md'), 'notes\n');
    await writeFile(path.join(dir, 'default', 'extra.yaml'), 'not: managed\n');
    await store.delete('ReleaseBinding', 'default', 'ad-development');
    const report = await exportDirectory(store, dir);
    expect(report.removed).toEqual(['default/release-bindings/ad-development.yaml']);
    expect(report.changed).toEqual([]);
    expect(await readFile(path.join(dir, 'README.md'), 'utf8')).toBe('notes\n');
    expect(await readFile(path.join(dir, 'default', 'extra.yaml'), 'utf8')).toBe('not: managed\n');
  });
});

describe('applyDirectory: bad documents', () => {
  async function writeBadDir(): Promise<string> {
    const dir = path.join(tmp, 'bad');
    await mkdir(path.join(dir, 'nested'), { recursive: true });
    await writeFile(
      path.join(dir, 'a-namespace.yaml'),
      `apiVersion: openchoreo.dev/v1alpha1
kind: Namespace
metadata: { name: acme }
spec: {}
---
apiVersion: openchoreo.dev/v1alpha1
kind: Namespace
metadata: { name: Bad_Name }
spec: {}
`,
    );
    await writeFile(
      path.join(dir, 'nested', 'b-mixed.yml'),
      `# a good project, an unknown kind, a component whose project does not exist, a good component
apiVersion: openchoreo.dev/v1alpha1
kind: Environment
metadata: { name: development, namespace: acme }
spec: {}
---
apiVersion: openchoreo.dev/v1alpha1
kind: DeploymentPipeline
metadata: { name: default, namespace: acme }
spec:
  promotionPaths:
    - sourceEnvironmentRef: development
      targetEnvironmentRefs: [{ name: development }]
---
apiVersion: openchoreo.dev/v1alpha1
kind: Project
metadata: { name: shop, namespace: acme }
spec: {}
---
apiVersion: openchoreo.dev/v1alpha1
kind: Gadget
metadata: { name: thing, namespace: acme }
spec: {}
---
apiVersion: openchoreo.dev/v1alpha1
kind: ComponentType
metadata: { name: service, namespace: acme }
spec: { workloadType: deployment, defaults: { replicas: 1, resources: {} } }
---
apiVersion: openchoreo.dev/v1alpha1
kind: Component
metadata: { name: orphan, namespace: acme }
spec:
  owner: { projectName: missing-project }
  componentType: deployment/service
---
apiVersion: openchoreo.dev/v1alpha1
kind: Component
metadata: { name: api, namespace: acme }
spec:
  owner: { projectName: shop }
  componentType: deployment/service
  endpoints: { http: { type: HTTP, port: 80000 } }
---
apiVersion: openchoreo.dev/v1alpha1
kind: Component
metadata: { name: web, namespace: acme }
spec:
  owner: { projectName: shop }
  componentType: deployment/service
`,
    );
    await writeFile(
      path.join(dir, 'c-syntax.yaml'),
      `apiVersion: openchoreo.dev/v1alpha1
kind: Project
metadata: { name: other, namespace: acme
spec: {}
---
apiVersion: openchoreo.dev/v1alpha1
kind: ReleaseBinding
metadata: { name: web-development, namespace: acme }
spec:
  owner: { projectName: shop, componentName: web }
  environment: production
  releaseName: web-r1
`,
    );
    await writeFile(path.join(dir, 'ignored.txt'), 'kind: Namespace\n');
    return dir;
  }

  it('reports each bad document by file, document and field/rule, and still applies the good ones', async () => {
    const store = openStore('bad');
    const dir = await writeBadDir();
    const report = await applyDirectory(store, dir, actor);
    expect(report.files).toEqual(['a-namespace.yaml', 'c-syntax.yaml', 'nested/b-mixed.yml']);

    const errorAt = (file: string, document: number) => report.errors.find((e) => e.file === file && e.document === document)?.message;
    expect(errorAt('a-namespace.yaml', 2)).toMatch(/^metadata\.name: must be lowercase/);
    expect(errorAt('nested/b-mixed.yml', 4)).toMatch(/^kind: unknown kind "Gadget"; must be one of Namespace, /);
    expect(errorAt('nested/b-mixed.yml', 6)).toBe(
      'spec.owner.projectName: Project missing-project does not exist in namespace acme (neither in the store nor in this apply)',
    );
    expect(errorAt('nested/b-mixed.yml', 7)).toMatch(/^spec\.endpoints\.http\.port: /);
    expect(errorAt('c-syntax.yaml', 1)).toMatch(/^YAML syntax error: /);
    const binding = errorAt('c-syntax.yaml', 2);
    expect(binding).toContain('spec.environment: Environment production does not exist in namespace acme');
    expect(binding).toContain('spec.releaseName: ComponentRelease web-r1 does not exist in namespace acme');
    expect(report.errors).toHaveLength(6);

    expect(report.created.sort()).toEqual(
      [
        'Namespace acme',
        'Environment acme/development',
        'DeploymentPipeline acme/default',
        'ComponentType acme/service',
        'Project acme/shop',
        'Component acme/web',
      ].sort(),
    );
    expect(await store.get('Component', 'acme', 'web')).toBeDefined();
    expect(await store.get('Component', 'acme', 'orphan')).toBeUndefined();
    expect(await store.get('Component', 'acme', 'api')).toBeUndefined();
    expect(await store.count('Namespace')).toBe(1);

    // Every document has exactly one outcome, in file and document order.
    expect(report.results.map((r) => `${r.file}#${r.document}:${r.outcome}`)).toEqual([
      'a-namespace.yaml#1:created',
      'a-namespace.yaml#2:error',
      'c-syntax.yaml#1:error',
      'c-syntax.yaml#2:error',
      'nested/b-mixed.yml#1:created',
      'nested/b-mixed.yml#2:created',
      'nested/b-mixed.yml#3:created',
      'nested/b-mixed.yml#4:error',
      'nested/b-mixed.yml#5:created',
      'nested/b-mixed.yml#6:error',
      'nested/b-mixed.yml#7:error',
      'nested/b-mixed.yml#8:created',
    ]);
  });

  it('a reference to an object whose own document failed is an error too', async () => {
    const store = openStore('chain');
    const dir = path.join(tmp, 'chain');
    await mkdir(dir);
    await writeFile(
      path.join(dir, 'all.yaml'),
      `kind: Namespace
metadata: { name: acme }
spec: {}
---
kind: Project
metadata: { name: shop, namespace: acme }
spec: { deploymentPipelineRef: nope }
---
kind: ComponentType
metadata: { name: service, namespace: acme }
spec: { workloadType: deployment, defaults: { resources: {} } }
---
kind: Component
metadata: { name: web, namespace: acme }
spec: { owner: { projectName: shop }, componentType: deployment/service }
`,
    );
    const report = await applyDirectory(store, dir, actor);
    expect(report.errors.map((e) => [e.document, e.message])).toEqual([
      [2, 'spec.deploymentPipelineRef: DeploymentPipeline nope does not exist in namespace acme (neither in the store nor in this apply)'],
      [4, 'spec.owner.projectName: Project shop does not exist in namespace acme (neither in the store nor in this apply)'],
    ]);
  });

  it('refuses to change a release snapshot and reports a duplicate definition', async () => {
    const store = openStore('immutable');
    await applyDirectory(store, DEMO_ORGANISATION_DIR, actor);
    const dir = path.join(tmp, 'release');
    await mkdir(dir);
    const release = (image: string) => `kind: ComponentRelease
metadata: { name: ad-v0-10-5, namespace: default }
spec:
  owner: { projectName: gcp-microservice-demo, componentName: ad }
  componentType: deployment/service
  image: ${image}
  defaults: { replicas: 1, resources: {} }
`;
    await writeFile(path.join(dir, 'release.yaml'), `${release('example.com/ad:v2')}---\n${release('example.com/ad:v3')}`);
    const report = await applyDirectory(store, dir, actor);
    expect(report.errors.map((e) => e.document)).toEqual([1, 2]);
    expect(report.errors[0]?.message).toMatch(/immutable/);
    expect(report.errors[1]?.message).toBe('ComponentRelease default/ad-v0-10-5 is defined twice: also in release.yaml document 1');
    expect((await store.get('ComponentRelease', 'default', 'ad-v0-10-5'))?.spec.image).toContain('microservices-demo/adservice:v0.10.5');
  });

  it('a dry run reports without writing', async () => {
    const store = openStore('dry');
    const report = await applyDirectory(store, DEMO_ORGANISATION_DIR, actor, { dryRun: true });
    expect(report.errors).toEqual([]);
    expect(report.created).toHaveLength(44);
    expect(await store.count()).toBe(0);
  });
});
