import { describe, expect, it } from 'vitest';
import { componentSchema, type Component } from '../../servers/control-plane/domain/openchoreo/component.js';
import { componentTypeSchema } from '../../servers/control-plane/domain/openchoreo/component-type.js';
import {
  ReleaseSnapshotError,
  componentReleaseFrom,
  releaseHash,
  releaseSpecFrom,
} from '../../servers/control-plane/domain/openchoreo/release-snapshot.js';
import {
  applyWorkloadSettings,
  dependencyArgumentOf,
  workloadFor,
} from '../../servers/control-plane/domain/openchoreo/workload-settings.js';
import { workloadSchema, type Workload } from '../../servers/control-plane/domain/openchoreo/workload.js';
import * as objects from './support/objects.js';
import { sampleAlertRuleTrait, sampleObject, sampleServiceType, sampleWebApplicationType } from './support/sample-types.js';

const sampleComponent = (file: string, kind: string, name: string) => componentSchema.parse(sampleObject(file, kind, name));
const sampleWorkload = (name: string) =>
  workloadSchema.parse(sampleObject(`gcp-microservices-demo/components/${name}-component.yaml`, 'Workload', name));

describe('workload settings: image, endpoints, dependencies, env → the component’s Workload', () => {
  const component = (): Component => componentSchema.parse(objects.component());

  it('builds a new Workload named after the component, with today’s tool arguments', () => {
    const workload = workloadFor(component(), {
      image: 'registry.example/cart:v2',
      endpoints: { grpc: { type: 'gRPC', port: 7070, visibility: ['project'] } },
      dependencies: [{ component: 'productcatalog', endpoint: 'grpc', env_var: 'PRODUCT_CATALOG_SERVICE_ADDR' }],
      env: [{ key: 'PORT', value: '7070' }],
    });
    expect(workload).toEqual({
      apiVersion: 'openchoreo.dev/v1alpha1',
      kind: 'Workload',
      metadata: { name: 'cart', namespace: 'default' },
      spec: {
        owner: { projectName: 'shop', componentName: 'cart' },
        container: { image: 'registry.example/cart:v2', env: [{ key: 'PORT', value: '7070' }] },
        endpoints: { grpc: { type: 'gRPC', port: 7070, visibility: ['project'] } },
        dependencies: {
          endpoints: [
            {
              component: 'productcatalog',
              name: 'grpc',
              project: 'shop',
              visibility: 'project',
              envBindings: { address: 'PRODUCT_CATALOG_SERVICE_ADDR' },
            },
          ],
        },
      },
    });
  });

  it('maps dependencies as the sample frontend Workload spells them, and back', () => {
    const frontend = sampleWorkload('frontend');
    const rebuilt = applyWorkloadSettings(frontend, { dependencies: frontend.spec.dependencies!.endpoints!.map(dependencyArgumentOf) });
    expect(rebuilt).toEqual(frontend);
  });

  it('a dependency on another project’s component is consumed at namespace visibility', () => {
    const workload = applyWorkloadSettings(workloadSchema.parse(objects.workload()), {
      dependencies: [{ component: 'payments', endpoint: 'api', project: 'billing' }],
    });
    expect(workload.spec.dependencies?.endpoints).toEqual([
      { component: 'payments', name: 'api', project: 'billing', visibility: 'namespace', envBindings: {} },
    ]);
  });

  it('changes only what is named; resource dependencies and secret-backed env are the caller’s to replace', () => {
    const cart = sampleWorkload('cart');
    const next = applyWorkloadSettings(cart, { image: 'registry.example/cart:v3' });
    expect(next.spec.container.image).toBe('registry.example/cart:v3');
    expect(next.spec.dependencies).toEqual(cart.spec.dependencies);
    expect(next.spec.container.env).toEqual(cart.spec.container.env);
    expect(cart.spec.container.image).toContain('cartservice:v0.10.5');
  });

  it('refuses bad arguments with the field named', () => {
    expect(() =>
      applyWorkloadSettings(workloadSchema.parse(objects.workload()), { endpoints: { Http: { type: 'HTTP', port: 80 } } }),
    ).toThrow(/DNS-1123/);
    expect(() => applyWorkloadSettings(workloadSchema.parse(objects.workload()), { image: '' })).toThrow();
  });
});

describe('ComponentRelease snapshot from Component + Workload + ComponentType', () => {
  const recommendation = () => sampleComponent('component-alerts/components-with-alert-rules.yaml', 'Component', 'recommendation');

  it('freezes the type’s spec, the traits in use, the component’s trait values and the Workload without its owner', () => {
    const workload: Workload = sampleWorkload('recommendation');
    const release = componentReleaseFrom({
      component: recommendation(),
      workload,
      componentType: sampleServiceType(),
      traits: [sampleAlertRuleTrait()],
    });
    expect(release.metadata.name).toMatch(/^recommendation-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(release.metadata.namespace).toBe('default');
    expect(release.spec.owner).toEqual({ projectName: 'gcp-microservice-demo', componentName: 'recommendation' });
    expect(release.spec.componentType.kind).toBe('ClusterComponentType');
    expect(release.spec.componentType.name).toBe('deployment/service');
    expect(release.spec.componentType.spec.environmentConfigs).toEqual(sampleServiceType().spec.environmentConfigs);
    expect(release.spec.traits).toEqual([{ kind: 'ClusterTrait', name: 'observability-alert-rule', spec: sampleAlertRuleTrait().spec }]);
    expect(release.spec.componentProfile?.traits).toEqual([
      expect.objectContaining({ kind: 'ClusterTrait', name: 'observability-alert-rule', instanceName: 'recommendation-high-cpu-alert' }),
    ]);
    const { owner: _owner, ...template } = workload.spec;
    expect(release.spec.workload).toEqual(template);
  });

  it('has no componentProfile and no traits for a component without parameters or traits', () => {
    const frontend = sampleComponent('gcp-microservices-demo/components/frontend-component.yaml', 'Component', 'frontend');
    const spec = releaseSpecFrom({ component: frontend, workload: sampleWorkload('frontend'), componentType: sampleWebApplicationType() });
    expect(spec).not.toHaveProperty('componentProfile');
    expect(spec).not.toHaveProperty('traits');
  });

  it('the hash follows the snapshot: same spec same hash, another image another hash', () => {
    const sources = {
      component: recommendation(),
      workload: sampleWorkload('recommendation'),
      componentType: sampleServiceType(),
      traits: [sampleAlertRuleTrait()],
    };
    const spec = releaseSpecFrom(sources);
    expect(releaseHash(structuredClone(spec))).toBe(releaseHash(spec));
    expect(releaseHash({ ...spec, owner: { projectName: 'x', componentName: 'y' } })).toBe(releaseHash(spec));
    const rebuilt = applyWorkloadSettings(sources.workload, { image: 'registry.example/recommendation:v2' });
    expect(releaseHash(releaseSpecFrom({ ...sources, workload: rebuilt }))).not.toBe(releaseHash(spec));
  });

  it('refuses sources that do not belong together', () => {
    const sources = { component: recommendation(), workload: sampleWorkload('recommendation'), componentType: sampleServiceType() };
    expect(() => releaseSpecFrom(sources)).toThrow(/trait ClusterTrait\/observability-alert-rule .* not found/);
    expect(() => releaseSpecFrom({ ...sources, traits: [sampleAlertRuleTrait()], componentType: sampleWebApplicationType() })).toThrow(
      ReleaseSnapshotError,
    );
    expect(() => releaseSpecFrom({ ...sources, traits: [sampleAlertRuleTrait()], workload: sampleWorkload('cart') })).toThrow(/belongs to/);
    const namespaced = componentTypeSchema.parse({ ...objects.componentType(), metadata: { name: 'service', namespace: 'default' } });
    expect(() => releaseSpecFrom({ ...sources, traits: [sampleAlertRuleTrait()], componentType: namespaced })).toThrow(
      /uses ClusterComponentType/,
    );
  });
});
