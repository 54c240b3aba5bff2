import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { bindingNameFor, checkChangedBinding, checkNewBinding } from '../domain/bindings.js';
import { cpuQuantity, envVarName, memoryQuantity, resourceName } from '../domain/names.js';
import { requireResource } from '../domain/require-resource.js';
import { releaseBindingSchema, releaseStates, type ComponentRelease, type ReleaseBinding } from '../domain/resources.js';
import { environmentTarget, loadBindingTarget } from './support/access.js';
import {
  componentName,
  cursor,
  environmentName,
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
import { bindingDetail, bindingView, changeList, detailBinding, listOutput, viewBinding } from './support/views.js';

export const bindingName = resourceName.describe('Release binding name: <component>-<environment>');

const overrideFields = {
  replicas: z.number().int().min(0).max(100).optional().describe('Replicas in this environment (0 stops it)'),
  cpu_request: cpuQuantity.optional(),
  cpu_limit: cpuQuantity.optional(),
  memory_request: memoryQuantity.optional(),
  memory_limit: memoryQuantity.optional(),
  env: z.array(environmentVariable).max(100).optional().describe('Environment variables to set (merged by key)'),
};

type OverrideInput = { [K in keyof typeof overrideFields]?: z.infer<(typeof overrideFields)[K]> } & { remove_env?: string[] };

/** Apply override arguments to a binding; only the fields named change. */
function applyOverrides(binding: ReleaseBinding, input: OverrideInput): ReleaseBinding {
  const next = structuredClone(binding);
  const overrides = next.spec.overrides;
  if (input.replicas !== undefined) overrides.replicas = input.replicas;
  const resources = (overrides.resources ??= { requests: {}, limits: {} });
  if (input.cpu_request !== undefined) resources.requests.cpu = input.cpu_request;
  if (input.memory_request !== undefined) resources.requests.memory = input.memory_request;
  if (input.cpu_limit !== undefined) resources.limits.cpu = input.cpu_limit;
  if (input.memory_limit !== undefined) resources.limits.memory = input.memory_limit;
  if (Object.keys(resources.requests).length === 0 && Object.keys(resources.limits).length === 0) delete overrides.resources;
  if (input.env !== undefined || input.remove_env !== undefined) {
    const env = new Map((overrides.env ?? []).map((entry) => [entry.key, entry.value]));
    for (const key of input.remove_env ?? []) env.delete(key);
    for (const entry of input.env ?? []) env.set(entry.key, entry.value);
    overrides.env = [...env].map(([key, value]) => ({ key, value }));
  }
  return next;
}

const TOUCHED = [
  'spec.releaseName',
  'spec.state',
  'spec.overrides.replicas',
  'spec.overrides.resources.requests.cpu',
  'spec.overrides.resources.requests.memory',
  'spec.overrides.resources.limits.cpu',
  'spec.overrides.resources.limits.memory',
  'spec.overrides.env',
] as const;

export const listReleaseBindings = controlPlaneTool({
  name: 'list_release_bindings',
  title: 'List release bindings',
  description: 'List where a component is deployed: one binding per environment with release, state and replicas.',
  toolset: 'deployment',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, component_name: componentName, limit, cursor }),
  output: listOutput('bindings', bindingView),
  authorization: {
    action: 'releasebinding:view',
    target: async (input, { deps }) => {
      const component = await requireResource(deps.store, 'Component', input.namespace_name, input.component_name);
      return {
        resource: { namespace: input.namespace_name, project: component.spec.owner.projectName, component: input.component_name },
        loaded: component,
      };
    },
    filtersItems: true,
  },
  handler: async (input, { deps, isAllowed }, component) => {
    const environments = new Map(
      (await deps.store.list({ kind: 'Environment', namespace: input.namespace_name, limit: 100 })).items.map((env) => [
        env.metadata.name,
        env,
      ]),
    );
    const page = await listVisible(
      deps.store,
      {
        kind: 'ReleaseBinding',
        namespace: input.namespace_name,
        project: component.spec.owner.projectName,
        component: input.component_name,
      },
      (binding) => {
        const environment = environments.get(binding.spec.environment);
        return isAllowed('releasebinding:view', {
          resource: { namespace: input.namespace_name, project: component.spec.owner.projectName, component: input.component_name },
          attributes: {
            environment: binding.spec.environment,
            componentType: component.spec.componentType,
            ...(environment ? { isProduction: environment.spec.isProduction } : {}),
          },
        });
      },
      input,
    );
    return { bindings: page.items.map(viewBinding), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) =>
    result.bindings
      .map(
        (binding) =>
          `${binding.environment}: ${binding.release} ${binding.state}${binding.readyReplicas !== undefined ? ` ready ${binding.readyReplicas}` : ''}`,
      )
      .join('; ') || 'not deployed anywhere',
});

export const getReleaseBinding = controlPlaneTool({
  name: 'get_release_binding',
  title: 'Get release binding',
  description:
    'Show a deployment in one environment: release, state, overrides, effective replicas/resources/env, and status reported by the data plane.',
  toolset: 'deployment',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, binding_name: bindingName }),
  output: bindingDetail,
  authorization: {
    action: 'releasebinding:view',
    target: (input, { deps }) => loadBindingTarget(deps.store, input.namespace_name, input.binding_name),
  },
  handler: async (input, { deps }, binding) =>
    detailBinding(binding, await deps.store.get('ComponentRelease', input.namespace_name, binding.spec.releaseName)),
});

export const createReleaseBinding = controlPlaneTool({
  name: 'create_release_binding',
  title: 'Create release binding',
  description: 'Deploy a release of a component to an environment (binding name <component>-<environment>), with optional overrides.',
  toolset: 'deployment',
  kind: 'write',
  scope: SCOPES.controlPlaneWrite,
  input: z.object({
    namespace_name: namespaceName,
    project_name: projectName,
    component_name: componentName,
    environment: environmentName,
    release_name: resourceName.describe('A release of this component; see list_component_releases'),
    ...overrideFields,
  }),
  output: z.object({ action: z.literal('created'), binding: bindingDetail }),
  authorization: {
    action: 'releasebinding:create',
    target: (input, { deps }) =>
      environmentTarget(
        deps.store,
        input.namespace_name,
        { projectName: input.project_name, componentName: input.component_name },
        input.environment,
      ),
  },
  handler: async (input, context) => {
    const { store } = context.deps;
    const binding = applyOverrides(
      releaseBindingSchema.parse({
        kind: 'ReleaseBinding',
        metadata: { name: bindingNameFor(input.component_name, input.environment), namespace: input.namespace_name },
        spec: {
          owner: { projectName: input.project_name, componentName: input.component_name },
          environment: input.environment,
          releaseName: input.release_name,
        },
      }),
      input,
    );
    const release = await checkNewBinding(store, binding);
    const created = await store.create(binding, actorOf(context));
    return { action: 'created' as const, binding: detailBinding(created, release) };
  },
  summarize: (result) =>
    `deployed ${result.binding.component} release ${result.binding.release} to ${result.binding.environment} (binding ${result.binding.name})`,
});

export const updateReleaseBinding = controlPlaneTool({
  name: 'update_release_binding',
  title: 'Update release binding',
  description:
    'Change a deployment in one environment: release, state, replicas, CPU/memory requests and limits, env vars. Only the fields you pass change; pass resource_version to refuse the change if someone else changed it since you read it.',
  toolset: 'deployment',
  kind: 'write',
  idempotent: true,
  scope: SCOPES.controlPlaneWrite,
  input: z.object({
    namespace_name: namespaceName,
    binding_name: bindingName,
    resource_version: resourceVersion,
    release_name: resourceName.optional(),
    state: z.enum(releaseStates).optional().describe('Active runs it, Suspended pauses it, Undeploy removes it but keeps the binding'),
    ...overrideFields,
    remove_env: z.array(envVarName).max(100).optional().describe('Environment variable overrides to remove'),
  }),
  output: z.object({ action: z.literal('updated'), binding: bindingDetail, changes: changeList }),
  authorization: {
    action: 'releasebinding:update',
    target: (input, { deps }) => loadBindingTarget(deps.store, input.namespace_name, input.binding_name),
  },
  handler: async (input, context, loaded) => {
    const { store } = context.deps;
    let release: ComponentRelease | undefined;
    const { before, after } = await modifyLoaded(
      store,
      loaded,
      actorOf(context),
      async (current) => {
        const next = applyOverrides(current, input);
        if (input.release_name !== undefined) next.spec.releaseName = input.release_name;
        if (input.state !== undefined) next.spec.state = input.state;
        release = await checkChangedBinding(store, next);
        return releaseBindingSchema.parse(next);
      },
      input.resource_version ? { expectedVersion: input.resource_version } : {},
    );
    return { action: 'updated' as const, binding: detailBinding(after, release), changes: changedFields(before, after, TOUCHED) };
  },
  summarize: (result) =>
    `updated ${result.binding.name}: ${result.changes.map((change) => `${change.field.replace('spec.', '')} ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`).join(', ') || 'no changes'} (version ${result.binding.resourceVersion})`,
});

export const deleteReleaseBinding = controlPlaneTool({
  name: 'delete_release_binding',
  title: 'Delete release binding',
  description:
    'Remove a deployment from an environment. To stop it but keep its settings, set state Undeploy with update_release_binding instead.',
  toolset: 'deployment',
  kind: 'destructive',
  idempotent: false,
  scope: SCOPES.controlPlaneWrite,
  input: z.object({ namespace_name: namespaceName, binding_name: bindingName, resource_version: resourceVersion }),
  output: z.object({ action: z.literal('deleted'), binding: bindingView }),
  authorization: {
    action: 'releasebinding:delete',
    target: (input, { deps }) => loadBindingTarget(deps.store, input.namespace_name, input.binding_name),
  },
  handler: async (input, { deps }) => {
    const deleted = await deps.store.delete(
      'ReleaseBinding',
      input.namespace_name,
      input.binding_name,
      input.resource_version ? { expectedVersion: input.resource_version } : {},
    );
    return { action: 'deleted' as const, binding: viewBinding(deleted) };
  },
  summarize: (result) => `deleted binding ${result.binding.name} (${result.binding.component} in ${result.binding.environment})`,
});

export default [listReleaseBindings, getReleaseBinding, createReleaseBinding, updateReleaseBinding, deleteReleaseBinding];
