import * as z from 'zod';
import { effectiveSettings } from '../../domain/effective-settings.js';
import {
  CHANGED_BY_ANNOTATION,
  CHANGED_THROUGH_ANNOTATION,
  DESCRIPTION_ANNOTATION,
  DISPLAY_NAME_ANNOTATION,
  type Component,
  type ComponentRelease,
  type ComponentType,
  type DeploymentPipeline,
  type Environment,
  type Namespace,
  type PlatformResource,
  type Project,
  type ReleaseBinding,
  type Workflow,
  type WorkflowRun,
} from '../../domain/resources.js';

/**
 * What tools return about each kind: compact summaries for lists, details for get and mutations.
 * Each view has its zod schema (the tool's output schema) next to the function that builds it.
 */

const optionalText = z.string().optional();

function common(resource: PlatformResource) {
  const annotations = resource.metadata.annotations;
  return {
    name: resource.metadata.name,
    ...(annotations[DISPLAY_NAME_ANNOTATION] ? { displayName: annotations[DISPLAY_NAME_ANNOTATION] } : {}),
    ...(annotations[DESCRIPTION_ANNOTATION] ? { description: annotations[DESCRIPTION_ANNOTATION] } : {}),
  };
}

const commonShape = { name: z.string(), displayName: optionalText, description: optionalText };

/** Version and provenance, on details only. */
const provenanceShape = {
  resourceVersion: z.string(),
  createdAt: optionalText,
  updatedAt: optionalText,
  changedBy: optionalText.describe('who last changed it (user:<id> or service:<client>)'),
  changedThrough: optionalText.describe('the OAuth client of that change'),
};
function provenance(resource: PlatformResource) {
  const annotations = resource.metadata.annotations;
  return {
    resourceVersion: resource.metadata.resourceVersion ?? '0',
    ...(resource.metadata.createdAt ? { createdAt: resource.metadata.createdAt } : {}),
    ...(resource.metadata.updatedAt ? { updatedAt: resource.metadata.updatedAt } : {}),
    ...(annotations[CHANGED_BY_ANNOTATION] ? { changedBy: annotations[CHANGED_BY_ANNOTATION] } : {}),
    ...(annotations[CHANGED_THROUGH_ANNOTATION] ? { changedThrough: annotations[CHANGED_THROUGH_ANNOTATION] } : {}),
  };
}

export const namespaceView = z.object(commonShape);
export const viewNamespace = (namespace: Namespace) => common(namespace);

export const projectView = z.object({ ...commonShape, namespace: z.string(), deploymentPipeline: z.string() });
export const viewProject = (project: Project) => ({
  ...common(project),
  namespace: project.metadata.namespace!,
  deploymentPipeline: project.spec.deploymentPipelineRef,
});
export const projectDetail = projectView.extend(provenanceShape);
export const detailProject = (project: Project) => ({ ...viewProject(project), ...provenance(project) });

const endpointView = z.object({ type: z.string(), port: z.number(), visibility: z.array(z.string()), basePath: optionalText });
const dependencyView = z.object({ component: z.string(), endpoint: z.string(), envVar: optionalText });
const envView = z.array(z.object({ key: z.string(), value: z.string() }));
const workflowConfigView = z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()) });

export const componentView = z.object({
  ...commonShape,
  project: z.string(),
  componentType: z.string(),
  autoDeploy: z.boolean(),
  latestRelease: optionalText,
  workflow: optionalText,
});
export const viewComponent = (component: Component) => ({
  ...common(component),
  project: component.spec.owner.projectName,
  componentType: component.spec.componentType,
  autoDeploy: component.spec.autoDeploy,
  ...(component.status?.latestRelease ? { latestRelease: component.status.latestRelease } : {}),
  ...(component.spec.workflow ? { workflow: component.spec.workflow.name } : {}),
});
export const componentDetail = componentView.extend({
  ...provenanceShape,
  namespace: z.string(),
  image: optionalText,
  endpoints: z.record(z.string(), endpointView),
  dependencies: z.array(dependencyView),
  env: envView,
  workflow: workflowConfigView.optional(),
});
export const detailComponent = (component: Component) => ({
  ...withoutWorkflowName(viewComponent(component)),
  ...provenance(component),
  namespace: component.metadata.namespace!,
  ...(component.spec.image ? { image: component.spec.image } : {}),
  endpoints: component.spec.endpoints,
  dependencies: component.spec.dependencies,
  env: component.spec.env,
  ...(component.spec.workflow ? { workflow: component.spec.workflow } : {}),
});

function withoutWorkflowName<T extends { workflow?: string }>(view: T): Omit<T, 'workflow'> {
  const { workflow: _workflowName, ...rest } = view;
  return rest;
}

const resourcesView = z.object({
  requests: z.object({ cpu: optionalText, memory: optionalText }),
  limits: z.object({ cpu: optionalText, memory: optionalText }),
});

export const componentTypeView = z.object({
  ...commonShape,
  name: z.string().describe('<workloadType>/<name>, the value create_component takes'),
  workloadType: z.string(),
  defaults: z.object({ replicas: z.number(), resources: resourcesView }),
  allowedWorkflows: z.array(z.string()),
});
export const viewComponentType = (type: ComponentType) => ({
  ...common(type),
  name: `${type.spec.workloadType}/${type.metadata.name}`,
  workloadType: type.spec.workloadType,
  defaults: type.spec.defaults,
  allowedWorkflows: type.spec.allowedWorkflows,
});

export const environmentView = z.object({ ...commonShape, isProduction: z.boolean(), dataPlane: z.string() });
export const viewEnvironment = (environment: Environment) => ({
  ...common(environment),
  isProduction: environment.spec.isProduction,
  dataPlane: environment.spec.dataPlaneRef,
});

export const pipelineView = z.object({ ...commonShape, promotionPaths: z.array(z.object({ from: z.string(), to: z.array(z.string()) })) });
export const viewPipeline = (pipeline: DeploymentPipeline) => ({
  ...common(pipeline),
  promotionPaths: pipeline.spec.promotionPaths.map((path) => ({
    from: path.sourceEnvironmentRef,
    to: path.targetEnvironmentRefs.map((target) => target.name),
  })),
});

export const releaseView = z.object({
  ...commonShape,
  project: z.string(),
  component: z.string(),
  image: z.string(),
  createdAt: optionalText,
});
export const viewRelease = (release: ComponentRelease) => ({
  ...common(release),
  project: release.spec.owner.projectName,
  component: release.spec.owner.componentName,
  image: release.spec.image,
  ...(release.metadata.createdAt ? { createdAt: release.metadata.createdAt } : {}),
});
export const releaseDetail = releaseView.extend({
  ...provenanceShape,
  componentType: z.string(),
  endpoints: z.record(z.string(), endpointView),
  dependencies: z.array(dependencyView),
  env: envView,
  defaults: z.object({ replicas: z.number(), resources: resourcesView }),
});
export const detailRelease = (release: ComponentRelease) => ({
  ...viewRelease(release),
  ...provenance(release),
  componentType: release.spec.componentType,
  endpoints: release.spec.endpoints,
  dependencies: release.spec.dependencies,
  env: release.spec.env,
  defaults: release.spec.defaults,
});

export const bindingView = z.object({
  ...commonShape,
  project: z.string(),
  component: z.string(),
  environment: z.string(),
  release: z.string(),
  state: z.string(),
  replicas: z.number().optional().describe('desired replicas when overridden'),
  readyReplicas: z.number().optional(),
});
export const viewBinding = (binding: ReleaseBinding) => ({
  ...common(binding),
  project: binding.spec.owner.projectName,
  component: binding.spec.owner.componentName,
  environment: binding.spec.environment,
  release: binding.spec.releaseName,
  state: binding.spec.state,
  ...(binding.spec.overrides.replicas !== undefined ? { replicas: binding.spec.overrides.replicas } : {}),
  ...(binding.status?.readyReplicas !== undefined ? { readyReplicas: binding.status.readyReplicas } : {}),
});

export const bindingDetail = bindingView.extend({
  ...provenanceShape,
  namespace: z.string(),
  overrides: z.object({ replicas: z.number().optional(), resources: resourcesView.optional(), env: envView.optional() }),
  effective: z
    .object({ replicas: z.number(), resources: resourcesView, env: envView })
    .optional()
    .describe("what runs: the release defaults with this environment's overrides applied"),
  status: z
    .object({
      readyReplicas: z.number().optional(),
      desiredReplicas: z.number().optional(),
      conditions: z.array(z.object({ type: z.string(), status: z.string(), reason: optionalText, message: optionalText })),
      endpoints: z.array(z.object({ name: z.string(), url: z.string() })),
    })
    .optional(),
});
export function detailBinding(binding: ReleaseBinding, release?: ComponentRelease) {
  const overrides = binding.spec.overrides;
  const effective = release ? effectiveSettings(release, overrides) : undefined;
  return {
    ...viewBinding(binding),
    ...provenance(binding),
    namespace: binding.metadata.namespace!,
    overrides,
    ...(effective ? { effective } : {}),
    ...(binding.status
      ? {
          status: {
            ...(binding.status.readyReplicas !== undefined ? { readyReplicas: binding.status.readyReplicas } : {}),
            ...(binding.status.desiredReplicas !== undefined ? { desiredReplicas: binding.status.desiredReplicas } : {}),
            conditions: binding.status.conditions.map(({ type, status, reason, message }) => ({
              type,
              status,
              ...(reason ? { reason } : {}),
              ...(message ? { message } : {}),
            })),
            endpoints: binding.status.endpoints,
          },
        }
      : {}),
  };
}

export const workflowView = z.object({
  ...commonShape,
  tasks: z.array(z.string()),
  parameters: z.record(z.string(), z.object({ description: optionalText, default: z.unknown().optional(), required: z.boolean() })),
});
export const viewWorkflow = (workflow: Workflow) => ({
  ...common(workflow),
  ...(workflow.spec.description ? { description: workflow.spec.description } : {}),
  tasks: workflow.spec.tasks.map((task) => task.name),
  parameters: workflow.spec.parameters,
});

export const runView = z.object({
  ...commonShape,
  workflow: z.string(),
  project: optionalText,
  component: optionalText,
  status: z.string(),
  startedAt: optionalText,
  completedAt: optionalText,
});
export const viewRun = (run: WorkflowRun) => ({
  ...common(run),
  workflow: run.spec.workflow.name,
  ...(run.spec.owner ? { project: run.spec.owner.projectName, component: run.spec.owner.componentName } : {}),
  status: run.status?.phase ?? 'Pending',
  ...(run.status?.startedAt ? { startedAt: run.status.startedAt } : {}),
  ...(run.status?.completedAt ? { completedAt: run.status.completedAt } : {}),
});
export const runDetail = runView.extend({
  ...provenanceShape,
  parameters: z.record(z.string(), z.unknown()),
  message: optionalText,
  releaseName: optionalText,
  tasks: z.array(
    z.object({ name: z.string(), status: z.string(), startedAt: optionalText, completedAt: optionalText, message: optionalText }),
  ),
});
export const detailRun = (run: WorkflowRun) => ({
  ...viewRun(run),
  ...provenance(run),
  parameters: run.spec.workflow.parameters,
  ...(run.status?.message ? { message: run.status.message } : {}),
  ...(run.status?.releaseName ? { releaseName: run.status.releaseName } : {}),
  tasks: (run.status?.tasks ?? []).map(({ name, phase, startedAt, completedAt, message }) => ({
    name,
    status: phase,
    ...(startedAt ? { startedAt } : {}),
    ...(completedAt ? { completedAt } : {}),
    ...(message ? { message } : {}),
  })),
});

export const changeList = z
  .array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() }))
  .describe('the fields this call changed, before and after');

/** A list result: `{ <key>: items, next_cursor? }`. */
export function listOutput<Key extends string, Item extends z.ZodType>(key: Key, item: Item) {
  return z.object({ [key]: z.array(item), next_cursor: z.string().optional() } as Record<Key, z.ZodArray<Item>> & {
    next_cursor: z.ZodOptional<z.ZodString>;
  });
}
