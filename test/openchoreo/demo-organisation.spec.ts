import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  effectiveEnvironmentConfigs,
  effectiveResources,
  environmentConfigsSchemaOf,
} from '../../servers/control-plane/domain/openchoreo/binding-settings.js';
import { promotionTargets, rootEnvironment } from '../../servers/control-plane/domain/openchoreo/environment.js';
import { validateSettings, type OpenApiSchema } from '../../servers/control-plane/domain/openchoreo/environment-configs.js';
import { modelledObjectSchema, type ModelledObject, type ObjectOfKind } from '../../servers/control-plane/domain/openchoreo/kinds.js';
import { WORKFLOW_RUN_CONDITIONS, findCondition } from '../../servers/control-plane/domain/openchoreo/conditions.js';
import { isOpenChoreoNamespace, openChoreoNamespace } from '../../servers/control-plane/domain/openchoreo/namespace.js';
import { releaseHash, releaseSpecFrom } from '../../servers/control-plane/domain/openchoreo/release-snapshot.js';
import { COMPONENT_LABEL, PROJECT_LABEL } from '../../servers/control-plane/domain/openchoreo/workflow-run.js';

const DEMO_DIR = path.resolve(import.meta.dirname, '../../servers/control-plane/demo-organisation-openchoreo');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? yamlFiles(full) : entry.endsWith('.yaml') ? [full] : [];
    });
}

const documents = yamlFiles(DEMO_DIR).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((document) => ({
    file: path.relative(DEMO_DIR, file),
    value: document.toJS() as unknown,
  })),
);
const demo: ModelledObject[] = documents.map((document) => modelledObjectSchema.parse(document.value));

function all<Kind extends ModelledObject['kind']>(kind: Kind): ObjectOfKind<Kind>[] {
  return demo.filter((object): object is ObjectOfKind<Kind> => object.kind === kind);
}

function one<Kind extends ModelledObject['kind']>(kind: Kind, name: string): ObjectOfKind<Kind> {
  const found = all(kind).find((object) => object.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is referenced but not in the demo organisation`);
  return found;
}

const BOUTIQUE: Record<string, { port: number; calls: string[] }> = {
  ad: { port: 9555, calls: [] },
  cart: { port: 7070, calls: [] },
  checkout: { port: 5050, calls: ['productcatalog', 'shipping', 'payment', 'email', 'currency', 'cart'] },
  currency: { port: 7000, calls: [] },
  email: { port: 5000, calls: [] },
  frontend: { port: 8080, calls: ['ad', 'cart', 'checkout', 'currency', 'payment', 'recommendation', 'shipping', 'productcatalog'] },
  payment: { port: 50051, calls: [] },
  productcatalog: { port: 3550, calls: [] },
  recommendation: { port: 8080, calls: ['productcatalog'] },
  shipping: { port: 50055, calls: [] },
};

describe('the demo organisation in OpenChoreo’s schema', () => {
  it('every document parses with our schemas, and no object is there twice', () => {
    const results = documents.map((document) => ({ file: document.file, result: modelledObjectSchema.safeParse(document.value) }));
    expect(results.filter((entry) => !entry.result.success).map((entry) => entry.file)).toEqual([]);
    const keys = demo.map((object) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('lives in the Kubernetes namespace default, which OpenChoreo treats as its own', () => {
    expect(all('Namespace').map((namespace) => [namespace.metadata.name, isOpenChoreoNamespace(namespace)])).toEqual([['default', true]]);
    const { annotations } = one('Namespace', 'default').metadata;
    expect(one('Namespace', 'default')).toEqual(openChoreoNamespace('default', { annotations: annotations! }));
    expect(isOpenChoreoNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } })).toBe(false);
    const clusterScoped = new Set(['Namespace', 'ClusterComponentType', 'ClusterTrait', 'ClusterWorkflow', 'ClusterProjectType']);
    for (const object of demo.filter((candidate) => !clusterScoped.has(candidate.kind))) expect(object.metadata.namespace).toBe('default');
  });

  it('promotes development → staging → production; only production is production; each has a data plane', () => {
    const pipeline = one('DeploymentPipeline', 'default');
    expect(rootEnvironment(pipeline)).toBe('development');
    expect(promotionTargets(pipeline, 'development')).toEqual(['staging']);
    expect(promotionTargets(pipeline, 'staging')).toEqual(['production']);
    for (const path of pipeline.spec.promotionPaths ?? []) {
      for (const ref of [path.sourceEnvironmentRef, ...path.targetEnvironmentRefs]) one('Environment', ref.name);
    }
    expect(Object.fromEntries(all('Environment').map((environment) => [environment.metadata.name, environment.spec.isProduction]))).toEqual(
      {
        development: false,
        staging: false,
        production: true,
      },
    );
    for (const environment of all('Environment'))
      expect(environment.spec.dataPlaneRef).toEqual({ kind: 'ClusterDataPlane', name: 'default' });
  });

  it('projects resolve their pipeline and type, and are bound to every pipeline environment', () => {
    expect(
      all('Project')
        .map((project) => project.metadata.name)
        .sort(),
    ).toEqual(['default', 'gcp-microservice-demo']);
    for (const project of all('Project')) {
      one('DeploymentPipeline', project.spec.deploymentPipelineRef.name);
      expect(project.spec.type.kind).toBe('ClusterProjectType');
      one('ClusterProjectType', project.spec.type.name);
      const environments = all('ProjectReleaseBinding')
        .filter((binding) => binding.spec.owner.projectName === project.metadata.name)
        .map((binding) => one('Environment', binding.spec.environment).metadata.name);
      expect(environments.sort()).toEqual(['development', 'production', 'staging']);
    }
  });

  it('component types allow only workflows and traits that exist, and default to 1 replica, 100m CPU, 256Mi', () => {
    expect(
      all('ClusterComponentType')
        .map((type) => `${type.spec.workloadType}/${type.metadata.name}`)
        .sort(),
    ).toEqual(['deployment/service', 'deployment/web-application']);
    for (const type of all('ClusterComponentType')) {
      for (const workflow of type.spec.allowedWorkflows ?? []) one('ClusterWorkflow', workflow.name);
      for (const trait of type.spec.allowedTraits ?? []) one('ClusterTrait', trait.name);
      expect(type.spec.allowedTraits?.map((trait) => trait.name)).toContain('observability-alert-rule');
    }
  });

  it('Online Boutique: ten components, each a Component and a Workload with today’s image, endpoint and wiring', () => {
    const components = all('Component').filter((component) => component.spec.owner.projectName === 'gcp-microservice-demo');
    expect(components.map((component) => component.metadata.name).sort()).toEqual(Object.keys(BOUTIQUE).sort());
    for (const component of components) {
      const name = component.metadata.name;
      const workloads = all('Workload').filter((workload) => workload.spec.owner.componentName === name);
      expect(workloads).toHaveLength(1);
      const workload = workloads[0]!;
      expect(workload.spec.owner.projectName).toBe('gcp-microservice-demo');
      expect(workload.spec.container.image).toMatch(/^us-central1-docker\.pkg\.dev\/google-samples\/microservices-demo\/[a-z]+:v0\.10\.5$/);
      expect(Object.values(workload.spec.endpoints ?? {}).map((endpoint) => endpoint.port)).toEqual([BOUTIQUE[name]!.port]);
      expect(workload.spec.dependencies?.endpoints?.map((dependency) => dependency.component) ?? []).toEqual(BOUTIQUE[name]!.calls);
      for (const dependency of workload.spec.dependencies?.endpoints ?? []) {
        const target = all('Workload').find((candidate) => candidate.spec.owner.componentName === dependency.component)!;
        expect(Object.keys(target.spec.endpoints ?? {})).toContain(dependency.name);
        expect(dependency.envBindings.address).toMatch(/_SERVICE_ADDR$/);
      }
      expect(workload.spec.container.env?.find((entry) => entry.key === 'PORT')?.value).toBe(String(BOUTIQUE[name]!.port));
    }
    expect(one('Workload', 'cart').spec.container.env).toContainEqual({ key: 'REDIS_ADDR', value: 'redis-cart:6379' });
    expect(one('Component', 'frontend').spec.componentType.name).toBe('deployment/web-application');
  });

  it('each component resolves its project and type, and its release is the snapshot of its Component, Workload and type', () => {
    for (const component of all('Component')) {
      one('Project', component.spec.owner.projectName);
      const [workloadType, typeName] = component.spec.componentType.name.split('/');
      const type = one('ClusterComponentType', typeName!);
      expect(component.spec.componentType.kind).toBe('ClusterComponentType');
      expect(type.spec.workloadType).toBe(workloadType);
      const workload = all('Workload').find((candidate) => candidate.spec.owner.componentName === component.metadata.name)!;
      const latest = component.status!.latestRelease!;
      const release = one('ComponentRelease', latest.name);
      const expected = releaseSpecFrom({ component, workload, componentType: type, traits: all('ClusterTrait') });
      expect(release.spec, `regenerate ${latest.name}: it must snapshot the demo's current component, workload and type`).toEqual(expected);
      expect(latest.releaseHash).toBe(releaseHash(release.spec));
    }
  });

  it('each release is bound to development and runs on the type’s defaults there', () => {
    const bindings = all('ReleaseBinding');
    expect(bindings).toHaveLength(11);
    for (const binding of bindings) {
      expect(binding.spec.environment).toBe('development');
      one('Environment', binding.spec.environment);
      const release = one('ComponentRelease', binding.spec.releaseName!);
      expect(release.spec.owner).toEqual(binding.spec.owner);
      one('Component', binding.spec.owner.componentName);
      expect(binding.metadata.name).toBe(`${binding.spec.owner.componentName}-development`);
      expect(effectiveResources(effectiveEnvironmentConfigs(environmentConfigsSchemaOf(release), binding))).toEqual({
        replicas: 1,
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '100m', memory: '256Mi' },
      });
    }
  });

  it('the greeter is built from /service-go-greeter/Dockerfile; build 01 succeeded as OpenChoreo reports it', () => {
    const greeter = one('Component', 'greeting-service');
    expect(greeter.spec.owner.projectName).toBe('default');
    const workflow = one('ClusterWorkflow', greeter.spec.workflow!.name);
    expect(greeter.spec.workflow!.kind).toBe('ClusterWorkflow');
    const type = one('ClusterComponentType', greeter.spec.componentType.name.split('/')[1]!);
    expect(type.spec.allowedWorkflows).toContainEqual({ kind: 'ClusterWorkflow', name: workflow.metadata.name });
    const schema = workflow.spec.parameters!.openAPIV3Schema as OpenApiSchema;
    expect(() => validateSettings(schema, greeter.spec.workflow!.parameters, 'spec.workflow.parameters')).not.toThrow();
    expect(greeter.spec.workflow!.parameters).toMatchObject({ docker: { filePath: '/service-go-greeter/Dockerfile' } });

    const run = one('WorkflowRun', 'greeting-service-build-01');
    expect(run.metadata.labels).toEqual({ [PROJECT_LABEL]: 'default', [COMPONENT_LABEL]: 'greeting-service' });
    expect(run.spec.workflow).toEqual(greeter.spec.workflow);
    expect(() => validateSettings(schema, run.spec.workflow.parameters, 'spec.workflow.parameters')).not.toThrow();
    const condition = (type: string) => {
      const found = findCondition(run.status?.conditions, type);
      return found && [found.status, found.reason];
    };
    expect(condition(WORKFLOW_RUN_CONDITIONS.running)).toEqual(['False', 'WorkflowRunning']);
    expect(condition(WORKFLOW_RUN_CONDITIONS.succeeded)).toEqual(['True', 'WorkflowSucceeded']);
    expect(condition(WORKFLOW_RUN_CONDITIONS.completed)).toEqual(['True', 'WorkflowSucceeded']);
    expect(condition(WORKFLOW_RUN_CONDITIONS.failed)).toBeUndefined();
    expect(run.status?.conditions).toHaveLength(3);
    expect(run.status?.tasks?.map((task) => [task.name, task.phase])).toEqual([
      ['checkout-source', 'Succeeded'],
      ['build-image', 'Succeeded'],
      ['publish-image', 'Succeeded'],
      ['generate-workload', 'Succeeded'],
    ]);
    expect(one('ComponentRelease', 'greeting-service-build-01').spec.workload.container.image).toBe(
      one('Workload', 'greeting-service').spec.container.image,
    );
  });

  it('the alert-rule trait’s settings schemas accept what the component-alerts sample sets', () => {
    const trait = one('ClusterTrait', 'observability-alert-rule');
    const settings = {
      enabled: true,
      actions: { notifications: { channels: ['email'] }, incident: { enabled: true, triggerAiRca: true } },
    };
    expect(() => validateSettings(trait.spec.environmentConfigs!.openAPIV3Schema!, settings, 'spec.traitEnvironmentConfigs')).not.toThrow();
    const parameters = {
      description: 'cart memory',
      severity: 'critical',
      source: { type: 'metric', metric: 'memory_usage' },
      condition: { threshold: 70 },
    };
    expect(() => validateSettings(trait.spec.parameters!.openAPIV3Schema!, parameters, 'spec.traits[0].parameters')).not.toThrow();
    expect(() => validateSettings(trait.spec.parameters!.openAPIV3Schema!, { ...parameters, severity: 'page' }, 'p')).toThrow(
      /severity: must be one of/,
    );
  });
});
