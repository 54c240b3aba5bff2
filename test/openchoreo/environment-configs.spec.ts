import { describe, expect, it } from 'vitest';
import {
  SettingsValidationError,
  closeObjects,
  validateSettings,
  withSchemaDefaults,
  type OpenApiSchema,
} from '../../servers/control-plane/domain/openchoreo/environment-configs.js';
import { sampleAlertRuleTrait, sampleServiceType } from './support/sample-types.js';

const serviceConfigs = () => sampleServiceType().spec.environmentConfigs!.openAPIV3Schema as OpenApiSchema;
const alertConfigs = () => sampleAlertRuleTrait().spec.environmentConfigs!.openAPIV3Schema as OpenApiSchema;

function issuesOf(schema: OpenApiSchema, settings: unknown) {
  try {
    validateSettings(schema, settings, 'spec.componentTypeEnvironmentConfigs');
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsValidationError);
    return (error as SettingsValidationError).issues;
  }
  return [];
}

describe('validateSettings against the sample service type’s environmentConfigs schema', () => {
  it('accepts replicas and resources as the schema names them, through its $defs/$ref', () => {
    expect(issuesOf(serviceConfigs(), { replicas: 3, resources: { requests: { cpu: '250m' }, limits: { memory: '1Gi' } } })).toEqual([]);
    expect(issuesOf(serviceConfigs(), {})).toEqual([]);
  });

  it('refuses an unknown key at the top, naming what is allowed', () => {
    expect(issuesOf(serviceConfigs(), { replica: 2 })).toEqual([
      {
        path: 'spec.componentTypeEnvironmentConfigs.replica',
        message: 'unknown setting; allowed here: replicas, resources, imagePullPolicy',
      },
    ]);
  });

  it('refuses an unknown key inside a $ref’d definition', () => {
    expect(issuesOf(serviceConfigs(), { resources: { requests: { gpu: '1' } } })).toEqual([
      { path: 'spec.componentTypeEnvironmentConfigs.resources.requests.gpu', message: 'unknown setting; allowed here: cpu, memory' },
    ]);
  });

  it('refuses a wrong type and a broken constraint with the schema’s words', () => {
    expect(issuesOf(serviceConfigs(), { replicas: 'two', imagePullPolicy: 'Sometimes', resources: { limits: { cpu: 1 } } })).toEqual([
      { path: 'spec.componentTypeEnvironmentConfigs.replicas', message: 'must be integer' },
      { path: 'spec.componentTypeEnvironmentConfigs.resources.limits.cpu', message: 'must be string' },
      { path: 'spec.componentTypeEnvironmentConfigs.imagePullPolicy', message: 'must be one of Always, IfNotPresent, Never' },
    ]);
    expect(issuesOf(serviceConfigs(), { replicas: -1 })).toEqual([
      { path: 'spec.componentTypeEnvironmentConfigs.replicas', message: 'must be >= 0' },
    ]);
  });

  it('quotes the schema’s description when it has one (the alert trait’s settings)', () => {
    expect(issuesOf(alertConfigs(), { enabled: 'yes' })).toEqual([
      {
        path: 'spec.componentTypeEnvironmentConfigs.enabled',
        message: 'must be boolean (Controls whether this alert rule is active. When disabled, the rule will not trigger alerts.)',
      },
    ]);
    expect(issuesOf(alertConfigs(), { actions: { incident: { triggerAiRca: true, enabled: true } } })).toEqual([]);
  });

  it('keeps what a schema preserves: x-kubernetes-preserve-unknown-fields and declared maps', () => {
    const schema = {
      type: 'object',
      properties: {
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    expect(issuesOf(schema, { extra: { a: 'x', anything: 1 }, labels: { team: 'shop' } })).toEqual([]);
    expect(issuesOf(schema, { labels: { team: 1 } })).toEqual([
      { path: 'spec.componentTypeEnvironmentConfigs.labels.team', message: 'must be string' },
    ]);
  });

  it('closeObjects closes declared objects in properties, $defs and items, and nothing else', () => {
    const closed = closeObjects({
      type: 'object',
      $defs: { Q: { type: 'object', properties: { cpu: { type: 'string' } } } },
      properties: { list: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } }, free: { type: 'object' } },
    });
    expect(closed.additionalProperties).toBe(false);
    expect((closed.$defs as any).Q.additionalProperties).toBe(false);
    expect((closed.properties as any).list.items.additionalProperties).toBe(false);
    expect((closed.properties as any).free.additionalProperties).toBeUndefined();
  });
});

describe('withSchemaDefaults: the schema’s defaults under the given settings', () => {
  it('fills the sample service type’s defaults: 1 replica, 100m CPU / 256Mi requests and limits', () => {
    expect(withSchemaDefaults(serviceConfigs(), {})).toEqual({
      replicas: 1,
      imagePullPolicy: 'IfNotPresent',
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '100m', memory: '256Mi' } },
    });
  });

  it('keeps what the settings give and defaults only the rest', () => {
    expect(withSchemaDefaults(serviceConfigs(), { replicas: 0, resources: { limits: { cpu: '250m' } } })).toEqual({
      replicas: 0,
      imagePullPolicy: 'IfNotPresent',
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
    });
  });

  it('prunes what the schema does not declare, as OpenChoreo renders environmentConfigs', () => {
    expect(withSchemaDefaults(serviceConfigs(), { replicas: 2, stale: true })).not.toHaveProperty('stale');
  });

  it('fills defaults inside arrays and leaves a value without a default out', () => {
    const schema = {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: { type: 'object', properties: { on: { type: 'boolean', default: true }, name: { type: 'string' } } },
        },
      },
    };
    expect(withSchemaDefaults(schema, { items: [{ name: 'a' }, { on: false }] })).toEqual({
      items: [{ name: 'a', on: true }, { on: false }],
    });
  });
});
