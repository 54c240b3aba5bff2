import { describe, expect, it } from 'vitest';
import { ImmutableFieldError, assertUpdateAllowed, validateUpdate } from '../../servers/control-plane/domain/openchoreo/immutability.js';
import { modelledObjectSchema, type ModelledObject } from '../../servers/control-plane/domain/openchoreo/kinds.js';
import * as objects from './support/objects.js';

function parsed(value: unknown): ModelledObject {
  return modelledObjectSchema.parse(value);
}

function changed(value: unknown, change: (draft: any) => void): ModelledObject {
  const draft = structuredClone(value);
  change(draft);
  return parsed(draft);
}

/** A label, a valid object, a change to an immutable field, and the field's path. */
type ImmutableChange = [string, unknown, (draft: any) => void, string];

const IMMUTABLE_CHANGES: ImmutableChange[] = [
  ['Component type', objects.component(), (d) => (d.spec.componentType.name = 'deployment/web-application'), 'spec.componentType'],
  ['Component owner', objects.component(), (d) => (d.spec.owner.projectName = 'other'), 'spec.owner'],
  ['Workload owner', objects.workload(), (d) => (d.spec.owner.componentName = 'other'), 'spec.owner'],
  ['Project type', objects.project(), (d) => (d.spec.type.name = 'other'), 'spec.type'],
  ['ReleaseBinding environment', objects.releaseBinding(), (d) => (d.spec.environment = 'staging'), 'spec.environment'],
  ['WorkflowRun workflow', objects.workflowRun(), (d) => (d.spec.workflow.name = 'other'), 'spec.workflow.name'],
  [
    'ComponentType workload type',
    objects.componentType(),
    (d) => {
      d.spec.workloadType = 'statefulset';
      d.spec.resources[0].id = 'statefulset';
    },
    'spec.workloadType',
  ],
  ['Environment data plane', objects.environment(), (d) => (d.spec.dataPlaneRef.name = 'other'), 'spec.dataPlaneRef'],
  ['Environment data plane removed', objects.environment(), (d) => delete d.spec.dataPlaneRef, 'spec.dataPlaneRef'],
  ['channel environment', objects.notificationChannel(), (d) => (d.spec.environment = 'production'), 'spec.environment'],
];

describe('validateUpdate: the fields the CRDs declare immutable', () => {
  it.each(IMMUTABLE_CHANGES)('refuses a changed %s', (_label, base, change, path) => {
    const violations = validateUpdate(parsed(base), changed(base, change));
    expect(violations.map((violation) => violation.path)).toEqual([path]);
    expect(violations[0]!.message).toMatch(/immutable|cannot be changed/);
  });

  it('allows what may change: replicas, release, state, env overrides', () => {
    const base = objects.releaseBinding();
    const next = changed(base, (d) => {
      d.spec.releaseName = 'cart-v2';
      d.spec.state = 'Undeploy';
      d.spec.componentTypeEnvironmentConfigs = { replicas: 3 };
      d.spec.workloadOverrides = { container: { env: [{ key: 'LOG_LEVEL', value: 'debug' }] } };
    });
    expect(validateUpdate(parsed(base), next)).toEqual([]);
    expect(() => assertUpdateAllowed(parsed(base), next)).not.toThrow();
  });

  it('compares a field only when both versions have it, as a CEL transition rule does', () => {
    const release = {
      apiVersion: 'openchoreo.dev/v1alpha1',
      kind: 'ComponentRelease',
      metadata: { name: 'cart-v1', namespace: 'default' },
      spec: {
        owner: { projectName: 'shop', componentName: 'cart' },
        componentType: { kind: 'ClusterComponentType', name: 'deployment/service', spec: objects.componentType().spec },
        workload: { container: { image: 'registry.example/cart:v1' } },
      },
    };
    expect(
      validateUpdate(
        parsed(release),
        changed(release, (d) => (d.spec.componentProfile = { parameters: {} })),
      ),
    ).toEqual([]);
    expect(
      validateUpdate(
        parsed(release),
        changed(release, (d) => (d.spec.workload.container.image = 'x:2')),
      ).map((v) => v.path),
    ).toEqual(['spec.workload']);
  });

  it('refuses a changed identity before anything else', () => {
    const base = objects.component();
    expect(
      validateUpdate(
        parsed(base),
        changed(base, (d) => (d.metadata.name = 'other')),
      ).map((v) => v.path),
    ).toEqual(['metadata.name']);
    expect(
      validateUpdate(
        parsed(base),
        changed(base, (d) => (d.metadata.namespace = 'other')),
      ).map((v) => v.path),
    ).toEqual(['metadata.namespace']);
  });

  it('assertUpdateAllowed throws an invalid-input error listing the fields', () => {
    const base = objects.component();
    const next = changed(base, (d) => {
      d.spec.owner.projectName = 'other';
      d.spec.componentType.kind = 'ComponentType';
    });
    expect(() => assertUpdateAllowed(parsed(base), next)).toThrow(ImmutableFieldError);
    try {
      assertUpdateAllowed(parsed(base), next);
    } catch (error) {
      expect((error as ImmutableFieldError).code).toBe('ERR_INVALID_INPUT');
      expect((error as ImmutableFieldError).message).toBe(
        'spec.componentType: spec.componentType cannot be changed after creation; spec.owner: spec.owner is immutable',
      );
    }
  });
});
