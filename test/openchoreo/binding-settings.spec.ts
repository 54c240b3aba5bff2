import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors/plane-errors.js';
import {
  BINDING_ARGUMENT_FIELDS,
  applyBindingSettings,
  effectiveEnv,
  effectiveEnvironmentConfigs,
  effectiveResources,
  environmentConfigsSchemaOf,
  mergeEnv,
} from '../../servers/control-plane/domain/openchoreo/binding-settings.js';
import {
  SettingsValidationError,
  validateSettings,
  type OpenApiSchema,
} from '../../servers/control-plane/domain/openchoreo/environment-configs.js';
import { releaseBindingSchema, type ReleaseBinding } from '../../servers/control-plane/domain/openchoreo/release-binding.js';
import { workloadSchema } from '../../servers/control-plane/domain/openchoreo/workload.js';
import * as objects from './support/objects.js';
import { sampleObject, sampleServiceType, sampleWebApplicationType } from './support/sample-types.js';

const serviceSchema = () => environmentConfigsSchemaOf(sampleServiceType())!;
const binding = (change: (draft: any) => void = () => {}): ReleaseBinding => {
  const draft = objects.releaseBinding() as any;
  change(draft);
  return releaseBindingSchema.parse(draft);
};

function refusal(run: () => unknown): SettingsValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsValidationError);
    return error as SettingsValidationError;
  }
  throw new Error('expected a refusal');
}

describe('applyBindingSettings: tool arguments → ReleaseBinding fields', () => {
  it('names the field each argument changes', () => {
    expect(BINDING_ARGUMENT_FIELDS).toEqual({
      replicas: 'spec.componentTypeEnvironmentConfigs.replicas',
      cpu_request: 'spec.componentTypeEnvironmentConfigs.resources.requests.cpu',
      cpu_limit: 'spec.componentTypeEnvironmentConfigs.resources.limits.cpu',
      memory_request: 'spec.componentTypeEnvironmentConfigs.resources.requests.memory',
      memory_limit: 'spec.componentTypeEnvironmentConfigs.resources.limits.memory',
      env: 'spec.workloadOverrides.container.env',
      remove_env: 'spec.workloadOverrides.container.env',
    });
  });

  it('puts replicas and CPU/memory where the sample service type’s environmentConfigs names them', () => {
    const next = applyBindingSettings(
      binding(),
      { replicas: 3, cpu_request: '50m', cpu_limit: '500m', memory_request: '128Mi', memory_limit: '512Mi' },
      serviceSchema(),
    );
    expect(next.spec.componentTypeEnvironmentConfigs).toEqual({
      replicas: 3,
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    });
    expect(next.spec.workloadOverrides).toBeUndefined();
  });

  it('changes only the settings named and keeps the others', () => {
    const current = binding(
      (d) => (d.spec.componentTypeEnvironmentConfigs = { imagePullPolicy: 'Always', resources: { limits: { cpu: '250m' } } }),
    );
    expect(applyBindingSettings(current, { replicas: 0 }, serviceSchema()).spec.componentTypeEnvironmentConfigs).toEqual({
      imagePullPolicy: 'Always',
      replicas: 0,
      resources: { limits: { cpu: '250m' } },
    });
    expect(current.spec.componentTypeEnvironmentConfigs).not.toHaveProperty('replicas');
  });

  it('refuses a setting the component type’s schema does not declare', () => {
    const schema: OpenApiSchema = {
      type: 'object',
      properties: { resources: { type: 'object', properties: { requests: { type: 'object', properties: { cpu: { type: 'string' } } } } } },
    };
    expect(refusal(() => applyBindingSettings(binding(), { replicas: 2, memory_request: '1Gi' }, schema)).issues).toEqual([
      { path: 'spec.componentTypeEnvironmentConfigs.replicas', message: 'unknown setting; allowed here: resources' },
      { path: 'spec.componentTypeEnvironmentConfigs.resources.requests.memory', message: 'unknown setting; allowed here: cpu' },
    ]);
  });

  it('refuses a value the schema constrains, in the schema’s words', () => {
    const schema: OpenApiSchema = {
      type: 'object',
      properties: { replicas: { type: 'integer', maximum: 5, description: 'Pods per environment' } },
    };
    expect(refusal(() => applyBindingSettings(binding(), { replicas: 10 }, schema)).message).toBe(
      'spec.componentTypeEnvironmentConfigs.replicas: must be <= 5 (Pods per environment)',
    );
  });

  it('refuses settings for a component type without an environmentConfigs schema', () => {
    expect(refusal(() => applyBindingSettings(binding(), { replicas: 1 }, undefined)).issues[0]!.message).toMatch(
      /no per-environment settings/,
    );
  });

  it('refuses bad argument values before touching the binding', () => {
    expect(refusal(() => applyBindingSettings(binding(), { cpu_request: '2 cores' }, serviceSchema())).issues[0]!.path).toBe('cpu_request');
  });

  it('refuses a request above its limit once the type’s defaults are filled in', () => {
    // The sample service type defaults the CPU limit to 100m.
    expect(() => applyBindingSettings(binding(), { cpu_request: '500m' }, serviceSchema())).toThrow(
      /cpu request 500m exceeds cpu limit 100m/,
    );
    expect(() => applyBindingSettings(binding(), { cpu_request: '500m' }, serviceSchema())).toThrow(InvalidInputError);
    expect(
      applyBindingSettings(binding(), { cpu_request: '500m', cpu_limit: '1' }, serviceSchema()).spec.componentTypeEnvironmentConfigs,
    ).toEqual({
      resources: { requests: { cpu: '500m' }, limits: { cpu: '1' } },
    });
  });

  it('merges env overrides by key and removes them by key, leaving secret references alone', () => {
    const current = binding((d) => {
      d.spec.workloadOverrides = {
        container: {
          env: [
            { key: 'LOG_LEVEL', value: 'info' },
            { key: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'cart-db', key: 'password' } } },
          ],
        },
      };
    });
    const next = applyBindingSettings(
      current,
      {
        env: [
          { key: 'LOG_LEVEL', value: 'debug' },
          { key: 'FEATURE_X', value: 'on' },
        ],
      },
      serviceSchema(),
    );
    expect(next.spec.workloadOverrides).toEqual({
      container: {
        env: [
          { key: 'LOG_LEVEL', value: 'debug' },
          { key: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'cart-db', key: 'password' } } },
          { key: 'FEATURE_X', value: 'on' },
        ],
      },
    });
    expect(
      applyBindingSettings(next, { remove_env: ['LOG_LEVEL', 'FEATURE_X'] }, serviceSchema()).spec.workloadOverrides?.container?.env,
    ).toEqual([{ key: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'cart-db', key: 'password' } } }]);
    expect(applyBindingSettings(next, { remove_env: ['LOG_LEVEL', 'FEATURE_X', 'DB_PASSWORD'] }, serviceSchema()).spec).not.toHaveProperty(
      'workloadOverrides',
    );
  });

  it('mergeEnv sets after removing, so a key both removed and set is set', () => {
    expect(mergeEnv([{ key: 'A', value: '1' }], [{ key: 'A', value: '2' }], ['A'])).toEqual([{ key: 'A', value: '2' }]);
  });
});

describe('effective settings of a binding', () => {
  it('the sample frontend binding: the type’s defaults under its componentTypeEnvironmentConfigs', () => {
    const sample = releaseBindingSchema.parse(
      sampleObject('component-alerts/failure-scenario-setup.yaml', 'ReleaseBinding', 'frontend-development'),
    );
    const schema = environmentConfigsSchemaOf(sampleWebApplicationType())!;
    validateSettings(schema, sample.spec.componentTypeEnvironmentConfigs, 'spec.componentTypeEnvironmentConfigs');
    expect(effectiveResources(effectiveEnvironmentConfigs(schema, sample))).toEqual({
      replicas: 1,
      requests: { cpu: '60m', memory: '256Mi' },
      limits: { cpu: '250m', memory: '256Mi' },
    });
  });

  it('every sample binding’s settings validate against the sample component types', () => {
    for (const name of ['recommendation-development', 'cart-development']) {
      const sample = releaseBindingSchema.parse(sampleObject('component-alerts/failure-scenario-setup.yaml', 'ReleaseBinding', name));
      expect(() =>
        validateSettings(serviceSchema(), sample.spec.componentTypeEnvironmentConfigs, 'spec.componentTypeEnvironmentConfigs'),
      ).not.toThrow();
    }
  });

  it('effective env: the Workload’s env with the binding’s overrides by key; secrets stay references', () => {
    const workload = workloadSchema.parse(
      sampleObject('gcp-microservices-demo/components/frontend-component.yaml', 'Workload', 'frontend'),
    );
    workload.spec.container.env!.push({ key: 'SESSION_SECRET', valueFrom: { secretKeyRef: { name: 'frontend-secrets', key: 'session' } } });
    const sample = releaseBindingSchema.parse(
      sampleObject('component-alerts/failure-scenario-setup.yaml', 'ReleaseBinding', 'frontend-development'),
    );
    const env = effectiveEnv(workload, sample);
    expect(env.find((entry) => entry.key === 'PRODUCT_CATALOG_SERVICE_ADDR')).toEqual({
      key: 'PRODUCT_CATALOG_SERVICE_ADDR',
      value: 'http://localhost:8080',
      source: 'binding',
    });
    expect(env.find((entry) => entry.key === 'PORT')).toEqual({ key: 'PORT', value: '8080', source: 'workload' });
    expect(env.find((entry) => entry.key === 'SESSION_SECRET')).toEqual({
      key: 'SESSION_SECRET',
      secretKeyRef: { name: 'frontend-secrets', key: 'session' },
      source: 'workload',
    });
    expect(env).toHaveLength(workload.spec.container.env!.length + 1);
  });
});
