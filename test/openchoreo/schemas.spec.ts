import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { OPENCHOREO_KINDS, isOpenChoreoKind, modelledObjectSchema } from '../../servers/control-plane/domain/openchoreo/kinds.js';
import * as objects from './support/objects.js';
import { crdSchema, crdScope, sampleObjects, type JsonSchema } from './support/reference-data.js';
import { addedPaths, crdNodeAt, subsetMismatches, undeclaredValuePaths, unmodelledProperties } from './support/schema-subset.js';

/** Sample kinds we do not model (yet): resources (Redis …), Argo templates, core Secrets. */
const UNMODELLED_SAMPLE_KINDS = new Set(['ClusterResourceType', 'Resource', 'ResourceReleaseBinding', 'ClusterWorkflowTemplate', 'Secret']);

const samples = sampleObjects();
const modelledSamples = samples.filter((sample) => isOpenChoreoKind(String(sample.value.kind)));

function ourJsonSchema(kind: keyof typeof OPENCHOREO_KINDS): JsonSchema {
  return z.toJSONSchema(OPENCHOREO_KINDS[kind].schema, { io: 'output' }) as JsonSchema;
}

describe('OpenChoreo samples parse with our schemas', () => {
  it('covers every kind in the three sample folders, modelled or named as not modelled', () => {
    const kinds = new Set(samples.map((sample) => String(sample.value.kind)));
    const unknown = [...kinds].filter((kind) => !isOpenChoreoKind(kind) && !UNMODELLED_SAMPLE_KINDS.has(kind));
    expect(unknown).toEqual([]);
    expect(modelledSamples.length).toBeGreaterThan(60);
  });

  it.each(modelledSamples.map((sample) => [`${sample.file} ${String(sample.value.kind)} ${sample.value.metadata?.name}`, sample] as const))(
    '%s',
    (_label, sample) => {
      const result = modelledObjectSchema.safeParse(sample.value);
      expect(result.success ? [] : result.error.issues).toEqual([]);
      const parsed = result.data!;
      const crd = crdSchema(OPENCHOREO_KINDS[parsed.kind as keyof typeof OPENCHOREO_KINDS].plural);
      // Serialised back, it has no field the CRD lacks, and what parsing added is what the CRD defaults.
      expect(undeclaredValuePaths(parsed, crd)).toEqual([]);
      const added = addedPaths(sample.value, parsed).filter((path) => crdNodeAt(crd, path)?.default === undefined);
      expect(added.map((path) => path.join('.'))).toEqual([]);
      expect(modelledObjectSchema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    },
  );
});

describe('our schemas are a structural subset of the CRDs', () => {
  it.each(Object.keys(OPENCHOREO_KINDS) as (keyof typeof OPENCHOREO_KINDS)[])('%s', (kind) => {
    const crd = crdSchema(OPENCHOREO_KINDS[kind].plural);
    const ours = ourJsonSchema(kind);
    expect(subsetMismatches(ours, crd)).toEqual([]);
    // Strict schemas refuse what they do not know, so they must know every field a real object may carry.
    expect(unmodelledProperties(ours, crd).filter((path) => !path.startsWith('metadata'))).toEqual([]);
    expect(OPENCHOREO_KINDS[kind].scope).toBe(crdScope(OPENCHOREO_KINDS[kind].plural));
  });

  it('the comparison reports what a look-alike schema gets wrong', () => {
    const crd = crdSchema('components');
    const lookAlike = structuredClone(ourJsonSchema('Component')) as JsonSchema & { properties: Record<string, JsonSchema> };
    const spec = lookAlike.properties.spec as JsonSchema & { properties: Record<string, JsonSchema> };
    spec.properties.image = { type: 'string' };
    spec.required = ['owner'];
    (spec.properties.componentType as JsonSchema & { properties: Record<string, JsonSchema> }).properties.kind = { type: 'string' };
    ((spec.properties.traits as JsonSchema).items as JsonSchema).additionalProperties = {};
    expect(subsetMismatches(lookAlike, crd).map((mismatch) => mismatch.path)).toEqual([
      'spec.componentType',
      'spec.componentType.kind',
      'spec.traits[]',
      'spec.image',
    ]);
  });
});

interface Refusal {
  name: string;
  value: unknown;
  path: (string | number)[];
  message?: RegExp;
}

function mutate<T>(value: T, change: (draft: any) => void): T {
  const draft = structuredClone(value);
  change(draft);
  return draft;
}

const REFUSALS: Refusal[] = [
  {
    name: 'a Component carrying what a Workload holds (today’s look-alike shape)',
    value: mutate(objects.component(), (d) => (d.spec.image = 'nginx')),
    path: ['spec'],
    message: /image/,
  },
  {
    name: 'a deployment pipeline referenced by a bare string',
    value: mutate(objects.project(), (d) => (d.spec.deploymentPipelineRef = 'default')),
    path: ['spec', 'deploymentPipelineRef'],
  },
  { name: 'a Project without spec.type', value: mutate(objects.project(), (d) => delete d.spec.type), path: ['spec', 'type'] },
  {
    name: 'a component type named without its workload type',
    value: mutate(objects.component(), (d) => (d.spec.componentType.name = 'service')),
    path: ['spec', 'componentType', 'name'],
    message: /workloadType/,
  },
  {
    name: 'an uppercase object name',
    value: mutate(objects.component(), (d) => (d.metadata.name = 'Cart')),
    path: ['metadata', 'name'],
    message: /DNS-1123/,
  },
  {
    name: 'a label value that is not one',
    value: mutate(objects.component(), (d) => (d.metadata.labels = { team: 'a b' })),
    path: ['metadata', 'labels', 'team'],
    message: /label value/,
  },
  {
    name: 'a namespace on a cluster-scoped kind',
    value: mutate(objects.clusterComponentType(), (d) => (d.metadata.namespace = 'default')),
    path: ['metadata', 'namespace'],
    message: /cluster-scoped/,
  },
  {
    name: 'ReleaseBinding overrides instead of componentTypeEnvironmentConfigs',
    value: mutate(objects.releaseBinding(), (d) => (d.spec.overrides = { replicas: 2 })),
    path: ['spec'],
    message: /overrides/,
  },
  {
    name: 'a release state the CRD lacks',
    value: mutate(objects.releaseBinding(), (d) => (d.spec.state = 'Suspended')),
    path: ['spec', 'state'],
  },
  {
    name: 'an env var with both a value and a secret reference',
    value: mutate(objects.workload(), (d) => (d.spec.container.env[0].valueFrom = { secretKeyRef: { name: 'db', key: 'password' } })),
    path: ['spec', 'container', 'env', 0, 'valueFrom'],
    message: /mutually exclusive/,
  },
  {
    name: 'an endpoint port out of range',
    value: mutate(objects.workload(), (d) => (d.spec.endpoints.grpc.port = 70000)),
    path: ['spec', 'endpoints', 'grpc', 'port'],
  },
  {
    name: 'a workload without an image',
    value: mutate(objects.workload(), (d) => delete d.spec.container.image),
    path: ['spec', 'container', 'image'],
  },
  {
    name: 'the same resource dependency twice',
    value: mutate(objects.workload(), (d) => (d.spec.dependencies = { resources: [{ ref: 'redis' }, { ref: 'redis' }] })),
    path: ['spec', 'dependencies', 'resources', 1, 'ref'],
    message: /duplicate/,
  },
  {
    name: 'a component type without its primary resource',
    value: mutate(objects.componentType(), (d) => (d.spec.resources[0].id = 'service')),
    path: ['spec', 'resources'],
    message: /primary resource/,
  },
  {
    name: 'both validations and preRenderValidations',
    value: mutate(objects.componentType(), (d) => {
      d.spec.validations = [{ rule: '${true}', message: 'a' }];
      d.spec.preRenderValidations = [{ rule: '${true}', message: 'b' }];
    }),
    path: ['spec', 'validations'],
    message: /only one/,
  },
  {
    name: 'forEach without var',
    value: mutate(objects.componentType(), (d) => (d.spec.resources[0].forEach = '${[1, 2]}')),
    path: ['spec', 'resources', 0, 'var'],
    message: /var is required/,
  },
  {
    name: 'a validation rule that is not a CEL template',
    value: mutate(objects.componentType(), (d) => (d.spec.preRenderValidations = [{ rule: 'true', message: 'm' }])),
    path: ['spec', 'preRenderValidations', 0, 'rule'],
    message: /\$\{/,
  },
  {
    name: 'two traits with one instance name',
    value: mutate(objects.component(), (d) => {
      d.spec.traits = [
        { kind: 'ClusterTrait', name: 'observability-alert-rule', instanceName: 'alert' },
        { kind: 'ClusterTrait', name: 'observability-alert-rule', instanceName: 'alert' },
      ];
    }),
    path: ['spec', 'traits', 1, 'instanceName'],
    message: /unique/,
  },
  {
    name: 'AI root-cause analysis without an incident',
    value: mutate(objects.alertRule(), (d) => (d.spec.actions.incident = { triggerAiRca: true })),
    path: ['spec', 'actions', 'incident', 'enabled'],
    message: /Incident must be enabled/,
  },
  {
    name: 'a webhook channel without its webhook',
    value: mutate(objects.notificationChannel(), (d) => delete d.spec.webhookConfig),
    path: ['spec', 'webhookConfig'],
    message: /required when type is webhook/,
  },
  {
    name: 'a condition without a reason',
    value: mutate(objects.workflowRun(), (d) => {
      d.status = { conditions: [{ type: 'WorkflowCompleted', status: 'True', lastTransitionTime: '2026-01-12T09:03:29Z', message: '' }] };
    }),
    path: ['status', 'conditions', 0, 'reason'],
  },
  {
    name: 'a condition time that is not RFC 3339',
    value: mutate(objects.workflowRun(), (d) => {
      d.status = {
        conditions: [
          { type: 'WorkflowCompleted', status: 'True', reason: 'WorkflowSucceeded', message: '', lastTransitionTime: 'yesterday' },
        ],
      };
    }),
    path: ['status', 'conditions', 0, 'lastTransitionTime'],
    message: /RFC 3339/,
  },
  {
    name: 'a Namespace under the OpenChoreo API group',
    value: mutate(objects.namespace(), (d) => (d.apiVersion = 'openchoreo.dev/v1alpha1')),
    path: ['apiVersion'],
  },
];

describe('bad objects are refused with the field named', () => {
  it.each(REFUSALS.map((refusal) => [refusal.name, refusal] as const))('%s', (_name, refusal) => {
    const result = modelledObjectSchema.safeParse(refusal.value);
    expect(result.success).toBe(false);
    const issue = result.error!.issues.find((candidate) => JSON.stringify(candidate.path) === JSON.stringify(refusal.path));
    expect(issue, JSON.stringify(result.error!.issues)).toBeDefined();
    if (refusal.message) expect(issue!.message + JSON.stringify(issue)).toMatch(refusal.message);
  });

  it('accepts the unmutated objects the refusals start from', () => {
    for (const make of Object.values(objects)) expect(modelledObjectSchema.safeParse(make()).error?.issues ?? []).toEqual([]);
  });
});
