import * as z from 'zod';
import { componentReleaseSchema } from './component-release.js';
import { clusterComponentTypeSchema, componentTypeSchema } from './component-type.js';
import { componentSchema } from './component.js';
import { deploymentPipelineSchema, environmentSchema } from './environment.js';
import type { Scope } from './kind.js';
import { namespaceSchema } from './namespace.js';
import { observabilityAlertRuleSchema, observabilityAlertsNotificationChannelSchema } from './observability.js';
import { clusterProjectTypeSchema, projectReleaseBindingSchema, projectSchema, projectTypeSchema } from './project.js';
import { releaseBindingSchema } from './release-binding.js';
import { secretReferenceSchema } from './secret-reference.js';
import { clusterTraitSchema, traitSchema } from './trait.js';
import { workflowRunSchema } from './workflow-run.js';
import { clusterWorkflowSchema, workflowSchema } from './workflow.js';
import { workloadSchema } from './workload.js';

interface KindInfo {
  schema: z.ZodType;
  scope: Scope;
  /** The resource name in API paths (`/apis/openchoreo.dev/v1alpha1/namespaces/<ns>/<plural>`). */
  plural: string;
}

function info(schema: z.ZodType, scope: Scope, plural: string): KindInfo {
  return { schema, scope, plural };
}

/** Every kind we model: its schema, scope and plural. OpenChoreo kinds first, the core Namespace last. */
export const OPENCHOREO_KINDS = {
  Project: info(projectSchema, 'Namespaced', 'projects'),
  ProjectType: info(projectTypeSchema, 'Namespaced', 'projecttypes'),
  ClusterProjectType: info(clusterProjectTypeSchema, 'Cluster', 'clusterprojecttypes'),
  ProjectReleaseBinding: info(projectReleaseBindingSchema, 'Namespaced', 'projectreleasebindings'),
  Component: info(componentSchema, 'Namespaced', 'components'),
  Workload: info(workloadSchema, 'Namespaced', 'workloads'),
  ComponentType: info(componentTypeSchema, 'Namespaced', 'componenttypes'),
  ClusterComponentType: info(clusterComponentTypeSchema, 'Cluster', 'clustercomponenttypes'),
  Trait: info(traitSchema, 'Namespaced', 'traits'),
  ClusterTrait: info(clusterTraitSchema, 'Cluster', 'clustertraits'),
  Environment: info(environmentSchema, 'Namespaced', 'environments'),
  DeploymentPipeline: info(deploymentPipelineSchema, 'Namespaced', 'deploymentpipelines'),
  ComponentRelease: info(componentReleaseSchema, 'Namespaced', 'componentreleases'),
  ReleaseBinding: info(releaseBindingSchema, 'Namespaced', 'releasebindings'),
  Workflow: info(workflowSchema, 'Namespaced', 'workflows'),
  ClusterWorkflow: info(clusterWorkflowSchema, 'Cluster', 'clusterworkflows'),
  WorkflowRun: info(workflowRunSchema, 'Namespaced', 'workflowruns'),
  SecretReference: info(secretReferenceSchema, 'Namespaced', 'secretreferences'),
  ObservabilityAlertRule: info(observabilityAlertRuleSchema, 'Namespaced', 'observabilityalertrules'),
  ObservabilityAlertsNotificationChannel: info(
    observabilityAlertsNotificationChannelSchema,
    'Namespaced',
    'observabilityalertsnotificationchannels',
  ),
} as const satisfies Record<string, KindInfo>;

export type OpenChoreoKind = keyof typeof OPENCHOREO_KINDS;

/** Any object we model, told apart by `kind`. */
export const modelledObjectSchema = z.discriminatedUnion('kind', [
  namespaceSchema,
  projectSchema,
  projectTypeSchema,
  clusterProjectTypeSchema,
  projectReleaseBindingSchema,
  componentSchema,
  workloadSchema,
  componentTypeSchema,
  clusterComponentTypeSchema,
  traitSchema,
  clusterTraitSchema,
  environmentSchema,
  deploymentPipelineSchema,
  componentReleaseSchema,
  releaseBindingSchema,
  workflowSchema,
  clusterWorkflowSchema,
  workflowRunSchema,
  secretReferenceSchema,
  observabilityAlertRuleSchema,
  observabilityAlertsNotificationChannelSchema,
]);

export type ModelledObject = z.infer<typeof modelledObjectSchema>;
export type ObjectOfKind<Kind extends ModelledObject['kind']> = Extract<ModelledObject, { kind: Kind }>;

export function isOpenChoreoKind(kind: string): kind is OpenChoreoKind {
  return Object.hasOwn(OPENCHOREO_KINDS, kind);
}

/** Validate any object as one we model; a ZodError lists each failing field with its path and rule. */
export function parseModelledObject(value: unknown): ModelledObject {
  return modelledObjectSchema.parse(value);
}
