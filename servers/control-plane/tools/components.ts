import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { checkChangedWorkflow, checkNewComponent } from '../domain/components.js';
import { componentTypeRef, envVarName, resourceName } from '../domain/names.js';
import { DESCRIPTION_ANNOTATION, DISPLAY_NAME_ANNOTATION, componentSchema, type Component } from '../domain/resources.js';
import { componentTarget, loadComponentTarget, projectTarget } from './support/access.js';
import {
  componentName,
  cursor,
  description,
  displayName,
  environmentVariable,
  limit,
  namespaceName,
  projectName,
  resourceVersion,
} from './support/arguments.js';
import { changedFields } from './support/changes.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { modifyLoaded } from './support/modify-loaded.js';
import { actorOf } from './support/resources.js';
import { changeList, componentDetail, componentView, detailComponent, listOutput, viewComponent } from './support/views.js';

const endpoint = z.object({
  type: z.enum(['HTTP', 'gRPC', 'TCP', 'UDP', 'GraphQL', 'Websocket']),
  port: z.number().int().min(1).max(65535),
  visibility: z.array(z.enum(['project', 'namespace', 'internal', 'external'])).default(['project']),
  basePath: z.string().max(200).optional(),
});
const endpoints = z.record(resourceName, endpoint).refine((value) => Object.keys(value).length <= 10, { error: 'at most 10 endpoints' });
const env = z.array(environmentVariable).max(100);
const workflow = z.object({ name: resourceName, parameters: z.record(z.string(), z.unknown()).default({}) });

export const listComponents = controlPlaneTool({
  name: 'list_components',
  title: 'List components',
  description: 'List the components of a project that you can see.',
  toolset: 'discovery',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, project_name: projectName, limit, cursor }),
  output: listOutput('components', componentView),
  authorization: {
    action: 'component:view',
    target: (input) => projectTarget(input.namespace_name, input.project_name),
    filtersItems: true,
  },
  handler: async (input, { deps, isAllowed }) => {
    const page = await listVisible(
      deps.store,
      { kind: 'Component', namespace: input.namespace_name, project: input.project_name },
      (item) => isAllowed('component:view', componentTarget(item)),
      input,
    );
    return { components: page.items.map(viewComponent), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) =>
    `components: ${result.components.map((item) => `${item.name} (${item.componentType})`).join(', ') || 'none'}${result.next_cursor ? ' (more: pass next_cursor)' : ''}`,
});

export const getComponent = controlPlaneTool({
  name: 'get_component',
  title: 'Get component',
  description: 'Show one component: type, image, endpoints, dependencies, environment variables, build workflow, latest release.',
  toolset: 'discovery',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, component_name: componentName }),
  output: componentDetail,
  authorization: {
    action: 'component:view',
    target: (input, { deps }) => loadComponentTarget(deps.store, input.namespace_name, input.component_name),
  },
  handler: async (_input, _context, component) => detailComponent(component),
});

export const createComponent = controlPlaneTool({
  name: 'create_component',
  title: 'Create component',
  description: 'Create a component in a project: its type, endpoints, dependencies, and either an image or a build workflow.',
  toolset: 'authoring',
  kind: 'write',
  scope: SCOPES.controlPlaneWrite,
  input: z.object({
    namespace_name: namespaceName,
    project_name: projectName,
    name: resourceName.describe('Component name'),
    component_type: componentTypeRef.describe('e.g. deployment/service; see list_component_types'),
    display_name: displayName,
    description,
    auto_deploy: z.boolean().default(true).describe('Deploy each new release to the first pipeline environment'),
    image: z.string().max(300).optional().describe('Container image, when not built by a workflow'),
    endpoints: endpoints.default({}),
    dependencies: z
      .array(z.object({ component: resourceName, endpoint: z.string().max(63), env_var: envVarName.optional() }))
      .max(20)
      .default([]),
    env: env.default([]),
    workflow: workflow.optional().describe('Build workflow and its parameters, e.g. dockerfile-builder'),
  }),
  output: z.object({ action: z.literal('created'), component: componentDetail }),
  authorization: {
    action: 'component:create',
    target: (input) => ({
      ...projectTarget(input.namespace_name, input.project_name),
      attributes: { componentType: input.component_type },
    }),
  },
  handler: async (input, context) => {
    const { store } = context.deps;
    const component = componentSchema.parse({
      kind: 'Component',
      metadata: {
        name: input.name,
        namespace: input.namespace_name,
        annotations: {
          ...(input.display_name ? { [DISPLAY_NAME_ANNOTATION]: input.display_name } : {}),
          ...(input.description ? { [DESCRIPTION_ANNOTATION]: input.description } : {}),
        },
      },
      spec: {
        owner: { projectName: input.project_name },
        componentType: input.component_type,
        autoDeploy: input.auto_deploy,
        ...(input.image ? { image: input.image } : {}),
        endpoints: input.endpoints,
        dependencies: input.dependencies.map((dependency) => ({
          component: dependency.component,
          endpoint: dependency.endpoint,
          ...(dependency.env_var ? { envVar: dependency.env_var } : {}),
        })),
        env: input.env,
        ...(input.workflow ? { workflow: input.workflow } : {}),
      },
    });
    await checkNewComponent(store, component);
    return { action: 'created' as const, component: detailComponent(await store.create(component, actorOf(context))) };
  },
  summarize: (result) =>
    `created component ${result.component.name} (${result.component.componentType}) in project ${result.component.project}`,
});

const UPDATABLE = ['metadata.annotations', 'spec.autoDeploy', 'spec.image', 'spec.endpoints', 'spec.env', 'spec.workflow'] as const;

export const updateComponent = controlPlaneTool({
  name: 'update_component',
  title: 'Update component',
  description: 'Change a component: only the fields you pass change (env replaces the whole list). Type and project cannot change.',
  toolset: 'authoring',
  kind: 'write',
  idempotent: true,
  scope: SCOPES.controlPlaneWrite,
  input: z.object({
    namespace_name: namespaceName,
    component_name: componentName,
    resource_version: resourceVersion,
    display_name: displayName,
    description,
    auto_deploy: z.boolean().optional(),
    image: z.string().max(300).optional(),
    endpoints: endpoints.optional(),
    env: env.optional(),
    workflow: workflow.optional(),
  }),
  output: z.object({ action: z.literal('updated'), component: componentDetail, changes: changeList }),
  authorization: {
    action: 'component:update',
    target: (input, { deps }) => loadComponentTarget(deps.store, input.namespace_name, input.component_name),
  },
  handler: async (input, context, loaded) => {
    const { store } = context.deps;
    const { before, after } = await modifyLoaded(
      store,
      loaded,
      actorOf(context),
      async (current) => {
        const next: Component = structuredClone(current);
        if (input.display_name !== undefined) next.metadata.annotations[DISPLAY_NAME_ANNOTATION] = input.display_name;
        if (input.description !== undefined) next.metadata.annotations[DESCRIPTION_ANNOTATION] = input.description;
        if (input.auto_deploy !== undefined) next.spec.autoDeploy = input.auto_deploy;
        if (input.image !== undefined) next.spec.image = input.image;
        if (input.endpoints !== undefined) next.spec.endpoints = input.endpoints;
        if (input.env !== undefined) next.spec.env = input.env;
        if (input.workflow !== undefined) next.spec.workflow = input.workflow;
        if (input.workflow) await checkChangedWorkflow(store, next);
        return componentSchema.parse(next);
      },
      input.resource_version ? { expectedVersion: input.resource_version } : {},
    );
    return {
      action: 'updated' as const,
      component: detailComponent(after),
      changes: changedFields(before, after, UPDATABLE).filter(
        (change) => !change.field.includes('annotations') || hasUserAnnotationChange(before, after),
      ),
    };
  },
  summarize: (result) =>
    `updated component ${result.component.name}: ${result.changes.map((change) => change.field).join(', ') || 'no changes'} (version ${result.component.resourceVersion})`,
});

/** Annotation changes count only when the display name or description changed, not the server's stamps. */
function hasUserAnnotationChange(before: Component, after: Component): boolean {
  return [DISPLAY_NAME_ANNOTATION, DESCRIPTION_ANNOTATION].some(
    (key) => before.metadata.annotations[key] !== after.metadata.annotations[key],
  );
}

export default [listComponents, getComponent, createComponent, updateComponent];
