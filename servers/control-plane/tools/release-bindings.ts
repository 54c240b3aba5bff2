import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { InvalidInputError } from '../../../shared/tools/errors.js';
import { cpuMillicores, cpuQuantity, envVarName, memoryBytes, memoryQuantity, resourceName } from '../domain/names.js';
import { releaseBindingSchema, releaseStates, type ReleaseBinding } from '../domain/resources.js';
import type { ResourceStore } from '../store/resource-store.js';
import { bindingTarget, environmentTarget } from './support/access.js';
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
import { actorOf, requireResource } from './support/resources.js';
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

/** Requests must not exceed limits once overrides are applied to the release defaults. */
async function checkResources(store: ResourceStore, binding: ReleaseBinding): Promise<void> {
  const release = await requireResource(store, 'ComponentRelease', binding.metadata.namespace!, binding.spec.releaseName);
  if (release.spec.owner.componentName !== binding.spec.owner.componentName) {
    throw new InvalidInputError(
      `release ${release.metadata.name} belongs to component ${release.spec.owner.componentName}, not ${binding.spec.owner.componentName}`,
      'Call list_component_releases for this component.',
    );
  }
  const requests = { ...release.spec.defaults.resources.requests, ...binding.spec.overrides.resources?.requests };
  const limits = { ...release.spec.defaults.resources.limits, ...binding.spec.overrides.resources?.limits };
  if (requests.cpu && limits.cpu && cpuMillicores(requests.cpu) > cpuMillicores(limits.cpu)) {
    throw new InvalidInputError(`cpu request ${requests.cpu} exceeds cpu limit ${limits.cpu}`, 'Lower the request or raise the limit.');
  }
  if (requests.memory && limits.memory && memoryBytes(requests.memory) > memoryBytes(limits.memory)) {
    throw new InvalidInputError(
      `memory request ${requests.memory} exceeds memory limit ${limits.memory}`,
      'Lower the request or raise the limit.',
    );
  }
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
      return { resource: { namespace: input.namespace_name, project: component.spec.owner.projectName, component: input.component_name } };
    },
    filtersItems: true,
  },
  handler: async (input, { deps, isAllowed }) => {
    const component = await requireResource(deps.store, 'Component', input.namespace_name, input.component_name);
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
    target: async (input, { deps }) =>
      bindingTarget(deps.store, await requireResource(deps.store, 'ReleaseBinding', input.namespace_name, input.binding_name)),
  },
  handler: async (input, { deps }) => {
    const binding = await requireResource(deps.store, 'ReleaseBinding', input.namespace_name, input.binding_name);
    return detailBinding(binding, await deps.store.get('ComponentRelease', input.namespace_name, binding.spec.releaseName));
  },
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
    const component = await requireResource(store, 'Component', input.namespace_name, input.component_name);
    if (component.spec.owner.projectName !== input.project_name) {
      throw new InvalidInputError(
        `component ${input.component_name} belongs to project ${component.spec.owner.projectName}, not ${input.project_name}`,
      );
    }
    await requireResource(store, 'Environment', input.namespace_name, input.environment);
    const binding = applyOverrides(
      releaseBindingSchema.parse({
        kind: 'ReleaseBinding',
        metadata: { name: `${input.component_name}-${input.environment}`.slice(0, 63), namespace: input.namespace_name },
        spec: {
          owner: { projectName: input.project_name, componentName: input.component_name },
          environment: input.environment,
          releaseName: input.release_name,
        },
      }),
      input,
    );
    await checkResources(store, binding);
    const created = await store.create(binding, actorOf(context));
    return {
      action: 'created' as const,
      binding: detailBinding(created, await store.get('ComponentRelease', input.namespace_name, created.spec.releaseName)),
    };
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
    target: async (input, { deps }) =>
      bindingTarget(deps.store, await requireResource(deps.store, 'ReleaseBinding', input.namespace_name, input.binding_name)),
  },
  handler: async (input, context) => {
    const { store } = context.deps;
    const { before, after } = await store.modify(
      'ReleaseBinding',
      input.namespace_name,
      input.binding_name,
      actorOf(context),
      async (current) => {
        const next = applyOverrides(current, input);
        if (input.release_name !== undefined) next.spec.releaseName = input.release_name;
        if (input.state !== undefined) next.spec.state = input.state;
        await checkResources(store, next);
        return releaseBindingSchema.parse(next);
      },
      input.resource_version ? { expectedVersion: input.resource_version } : {},
    );
    const release = await store.get('ComponentRelease', input.namespace_name, after.spec.releaseName);
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
    target: async (input, { deps }) =>
      bindingTarget(deps.store, await requireResource(deps.store, 'ReleaseBinding', input.namespace_name, input.binding_name)),
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
