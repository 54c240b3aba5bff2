import * as z from 'zod';
import { componentTypeRef, cpuQuantity, envVarName, memoryQuantity, resourceName } from './names.js';

export const API_VERSION = 'openchoreo.dev/v1alpha1';

/** Annotations the server stamps on every mutation: who changed the object and through which client. */
export const CHANGED_BY_ANNOTATION = 'plane-mcp.dev/changed-by';
export const CHANGED_THROUGH_ANNOTATION = 'plane-mcp.dev/changed-through';
export const DISPLAY_NAME_ANNOTATION = 'openchoreo.dev/display-name';
export const DESCRIPTION_ANNOTATION = 'openchoreo.dev/description';

const metadata = z.object({
  name: resourceName,
  namespace: resourceName.optional(),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  /** Set by the store; a write naming a stale one is refused. */
  resourceVersion: z.string().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

const condition = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});

const resources = z.object({
  requests: z.object({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).default({}),
  limits: z.object({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).default({}),
});

const envVar = z.object({ key: envVarName, value: z.string() });

const endpoint = z.object({
  type: z.enum(['HTTP', 'gRPC', 'TCP', 'UDP', 'GraphQL', 'Websocket']),
  port: z.number().int().min(1).max(65535),
  visibility: z.array(z.enum(['project', 'namespace', 'internal', 'external'])).default(['project']),
  basePath: z.string().optional(),
});

const dependency = z.object({ component: resourceName, endpoint: z.string(), envVar: envVarName.optional() });

const namedRef = z.object({ name: resourceName });

/** Kubernetes-shaped resource: `{apiVersion, kind, metadata, spec, status}`. */
function kind<Kind extends string, Spec extends z.ZodType, Status extends z.ZodType>(name: Kind, spec: Spec, status: Status) {
  return z.object({
    apiVersion: z.literal(API_VERSION).default(API_VERSION),
    kind: z.literal(name),
    metadata,
    spec,
    status: status.optional(),
  });
}

const noStatus = z.object({}).loose();

export const namespaceSchema = kind('Namespace', z.object({}).default({}), noStatus);

export const projectSchema = kind(
  'Project',
  z.object({ deploymentPipelineRef: resourceName.default('default') }),
  z.object({ conditions: z.array(condition).default([]) }),
);

export const componentTypeSchema = kind(
  'ComponentType',
  z.object({
    workloadType: z.enum(['deployment', 'statefulset', 'cronjob', 'job', 'proxy']),
    defaults: z.object({ replicas: z.number().int().min(0).default(1), resources }),
    allowedWorkflows: z.array(resourceName).default([]),
  }),
  noStatus,
);

export const environmentSchema = kind(
  'Environment',
  z.object({ isProduction: z.boolean().default(false), dataPlaneRef: resourceName.default('default') }),
  noStatus,
);

export const deploymentPipelineSchema = kind(
  'DeploymentPipeline',
  z.object({
    promotionPaths: z.array(z.object({ sourceEnvironmentRef: resourceName, targetEnvironmentRefs: z.array(namedRef).min(1) })).min(1),
  }),
  noStatus,
);

const workflowConfig = z.object({ name: resourceName, parameters: z.record(z.string(), z.unknown()).default({}) });

export const componentSchema = kind(
  'Component',
  z.object({
    owner: z.object({ projectName: resourceName }),
    componentType: componentTypeRef,
    autoDeploy: z.boolean().default(true),
    /** What the component runs when it is not built by a workflow (the Online Boutique images). */
    image: z.string().optional(),
    endpoints: z.record(z.string(), endpoint).default({}),
    dependencies: z.array(dependency).default([]),
    env: z.array(envVar).default([]),
    workflow: workflowConfig.optional(),
  }),
  z.object({ latestRelease: z.string().optional(), conditions: z.array(condition).default([]) }),
);

export const componentReleaseSchema = kind(
  'ComponentRelease',
  z.object({
    owner: z.object({ projectName: resourceName, componentName: resourceName }),
    componentType: componentTypeRef,
    image: z.string(),
    endpoints: z.record(z.string(), endpoint).default({}),
    dependencies: z.array(dependency).default([]),
    env: z.array(envVar).default([]),
    defaults: z.object({ replicas: z.number().int().min(0), resources }),
  }),
  noStatus,
);

export const releaseStates = ['Active', 'Suspended', 'Undeploy'] as const;

export const releaseBindingSchema = kind(
  'ReleaseBinding',
  z.object({
    owner: z.object({ projectName: resourceName, componentName: resourceName }),
    environment: resourceName,
    releaseName: resourceName,
    state: z.enum(releaseStates).default('Active'),
    /** Per-environment overrides of the release defaults. */
    overrides: z
      .object({ replicas: z.number().int().min(0).max(100).optional(), resources: resources.optional(), env: z.array(envVar).optional() })
      .default({}),
  }),
  z.object({
    readyReplicas: z.number().int().min(0).optional(),
    desiredReplicas: z.number().int().min(0).optional(),
    observedVersion: z.string().optional(),
    conditions: z.array(condition).default([]),
    endpoints: z.array(z.object({ name: z.string(), url: z.string() })).default([]),
  }),
);

export const workflowSchema = kind(
  'Workflow',
  z.object({
    description: z.string().optional(),
    tasks: z.array(z.object({ name: resourceName, description: z.string().optional() })).min(1),
    parameters: z
      .record(
        z.string(),
        z.object({ description: z.string().optional(), default: z.unknown().optional(), required: z.boolean().default(false) }),
      )
      .default({}),
  }),
  noStatus,
);

export const taskPhases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Skipped'] as const;
export const runPhases = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;

export const workflowRunSchema = kind(
  'WorkflowRun',
  z.object({
    workflow: workflowConfig,
    owner: z.object({ projectName: resourceName, componentName: resourceName }).optional(),
  }),
  z.object({
    phase: z.enum(runPhases).default('Pending'),
    startedAt: z.string().optional(),
    completedAt: z.string().optional(),
    message: z.string().optional(),
    tasks: z
      .array(
        z.object({
          name: z.string(),
          phase: z.enum(taskPhases),
          startedAt: z.string().optional(),
          completedAt: z.string().optional(),
          message: z.string().optional(),
        }),
      )
      .default([]),
    /** The release a successful build produced. */
    releaseName: z.string().optional(),
  }),
);

export const platformResourceSchema = z.discriminatedUnion('kind', [
  namespaceSchema,
  projectSchema,
  componentTypeSchema,
  environmentSchema,
  deploymentPipelineSchema,
  componentSchema,
  componentReleaseSchema,
  releaseBindingSchema,
  workflowSchema,
  workflowRunSchema,
]);

export type PlatformResource = z.infer<typeof platformResourceSchema>;
export type ResourceKind = PlatformResource['kind'];
export type ResourceOf<K extends ResourceKind> = Extract<PlatformResource, { kind: K }>;
export type Namespace = ResourceOf<'Namespace'>;
export type Project = ResourceOf<'Project'>;
export type ComponentType = ResourceOf<'ComponentType'>;
export type Environment = ResourceOf<'Environment'>;
export type DeploymentPipeline = ResourceOf<'DeploymentPipeline'>;
export type Component = ResourceOf<'Component'>;
export type ComponentRelease = ResourceOf<'ComponentRelease'>;
export type ReleaseBinding = ResourceOf<'ReleaseBinding'>;
export type Workflow = ResourceOf<'Workflow'>;
export type WorkflowRun = ResourceOf<'WorkflowRun'>;

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  'Namespace',
  'Environment',
  'DeploymentPipeline',
  'ComponentType',
  'Workflow',
  'Project',
  'Component',
  'ComponentRelease',
  'ReleaseBinding',
  'WorkflowRun',
];

/** Kinds that live in a namespace (everything but Namespace itself). */
export function isNamespaced(kind: ResourceKind): boolean {
  return kind !== 'Namespace';
}

/** The project and component an object belongs to, from trusted stored fields (never client labels). */
export function ownerOf(resource: PlatformResource): { project?: string; component?: string } {
  switch (resource.kind) {
    case 'Project':
      return { project: resource.metadata.name };
    case 'Component':
      return { project: resource.spec.owner.projectName, component: resource.metadata.name };
    case 'ComponentRelease':
    case 'ReleaseBinding':
      return { project: resource.spec.owner.projectName, component: resource.spec.owner.componentName };
    case 'WorkflowRun':
      return resource.spec.owner ? { project: resource.spec.owner.projectName, component: resource.spec.owner.componentName } : {};
    default:
      return {};
  }
}

/**
 * Validate any object as a platform resource; the error lists each failing field with its rule.
 * Throws a ZodError (mapped to an invalid-input error by the callers).
 */
export function parseResource(value: unknown): PlatformResource {
  return platformResourceSchema.parse(value);
}
