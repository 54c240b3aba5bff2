import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import type { AccessTarget } from '../../../shared/tools/define-tool.js';
import { InvalidInputError } from '../../../shared/tools/errors.js';
import { resourceName } from '../domain/names.js';
import { runPhases, workflowRunSchema, type Component, type Workflow, type WorkflowRun } from '../domain/resources.js';
import type { Actor, ResourceStore } from '../store/resource-store.js';
import { ResourceExistsError } from '../store/store-errors.js';
import { componentTarget, namespaceTarget, projectTarget } from './support/access.js';
import { componentName, cursor, limit, namespaceName, projectName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { actorOf, requireResource } from './support/resources.js';
import { detailRun, listOutput, runDetail, runView, viewRun } from './support/views.js';

const parameterValues = z
  .record(z.string().max(63), z.union([z.string().max(1000), z.number(), z.boolean()]))
  .refine((value) => Object.keys(value).length <= 50, { error: 'at most 50 parameters' })
  .describe('Workflow parameters, e.g. {"branch": "main"}');

/** Merge defaults and overrides, refusing parameters the workflow does not declare and missing required ones. */
function resolveParameters(workflow: Workflow, base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const declared = workflow.spec.parameters;
  const unknown = Object.keys(overrides).filter((key) => !(key in declared));
  if (unknown.length) {
    throw new InvalidInputError(
      `workflow ${workflow.metadata.name} has no parameter(s) ${unknown.join(', ')}`,
      `Its parameters: ${Object.keys(declared).join(', ') || 'none'}.`,
    );
  }
  const resolved: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(declared)) {
    const value = overrides[key] ?? base[key] ?? spec.default;
    if (value !== undefined) resolved[key] = value;
    else if (spec.required)
      throw new InvalidInputError(
        `workflow ${workflow.metadata.name} needs parameter ${key}${spec.description ? ` (${spec.description})` : ''}`,
      );
  }
  return resolved;
}

/** Create a Pending run named `<prefix>-NN` (the next free number); the data plane executes it. */
async function startRun(
  store: ResourceStore,
  namespace: string,
  workflow: Workflow,
  parameters: Record<string, unknown>,
  component: Component | undefined,
  actor: Actor,
): Promise<WorkflowRun> {
  const prefix = component ? `${component.metadata.name}-build` : `${workflow.metadata.name}-run`;
  const existing = await store.count('WorkflowRun');
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = `${prefix}-${String(existing + 1 + attempt).padStart(2, '0')}`.slice(0, 63);
    const run = workflowRunSchema.parse({
      kind: 'WorkflowRun',
      metadata: { name, namespace },
      spec: {
        workflow: { name: workflow.metadata.name, parameters },
        ...(component ? { owner: { projectName: component.spec.owner.projectName, componentName: component.metadata.name } } : {}),
      },
      status: { phase: 'Pending', tasks: workflow.spec.tasks.map((task) => ({ name: task.name, phase: 'Pending' })) },
    });
    try {
      return await store.create(run, actor);
    } catch (error) {
      if (!(error instanceof ResourceExistsError)) throw error;
    }
  }
  throw new InvalidInputError('could not allocate a run name', 'Try again.');
}

function runTarget(run: WorkflowRun): AccessTarget {
  return run.spec.owner
    ? { resource: { namespace: run.metadata.namespace!, project: run.spec.owner.projectName, component: run.spec.owner.componentName } }
    : namespaceTarget(run.metadata.namespace!);
}

export const listWorkflowRuns = controlPlaneTool({
  name: 'list_workflow_runs',
  title: 'List workflow runs',
  description: 'List build runs, newest name last, optionally for one project or component and one status.',
  toolset: 'builds',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({
    namespace_name: namespaceName,
    project_name: projectName.optional(),
    component_name: componentName.optional(),
    status: z.enum(runPhases).optional(),
    limit,
    cursor,
  }),
  output: listOutput('workflow_runs', runView),
  authorization: {
    action: 'workflowrun:view',
    target: async (input, { deps }) => {
      if (input.component_name)
        return componentTarget(await requireResource(deps.store, 'Component', input.namespace_name, input.component_name));
      return input.project_name ? projectTarget(input.namespace_name, input.project_name) : namespaceTarget(input.namespace_name);
    },
    filtersItems: true,
  },
  handler: async (input, { deps, isAllowed }) => {
    const project = input.component_name
      ? (await requireResource(deps.store, 'Component', input.namespace_name, input.component_name)).spec.owner.projectName
      : input.project_name;
    const page = await listVisible(
      deps.store,
      {
        kind: 'WorkflowRun',
        namespace: input.namespace_name,
        ...(project ? { project } : {}),
        ...(input.component_name ? { component: input.component_name } : {}),
      },
      (run) => isAllowed('workflowrun:view', runTarget(run)),
      input,
      (run) => input.status === undefined || (run.status?.phase ?? 'Pending') === input.status,
    );
    return { workflow_runs: page.items.map(viewRun), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) => result.workflow_runs.map((run) => `${run.name}: ${run.status}`).join(', ') || 'no runs',
});

export const getWorkflowRun = controlPlaneTool({
  name: 'get_workflow_run',
  title: 'Get workflow run',
  description: 'Show a build run: parameters, overall status, and each task with its status, times and message.',
  toolset: 'builds',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, run_name: resourceName }),
  output: runDetail,
  authorization: {
    action: 'workflowrun:view',
    target: async (input, { deps }) => runTarget(await requireResource(deps.store, 'WorkflowRun', input.namespace_name, input.run_name)),
  },
  handler: async (input, { deps }) => detailRun(await requireResource(deps.store, 'WorkflowRun', input.namespace_name, input.run_name)),
  summarize: (result) =>
    `${result.name} ${result.status}: ${result.tasks.map((task) => `${task.name} ${task.status}`).join(', ')}${result.message ? ` — ${result.message}` : ''}`,
});

export const createWorkflowRun = controlPlaneTool({
  name: 'create_workflow_run',
  title: 'Create workflow run',
  description: 'Run a workflow by name with explicit parameters, optionally for a component (its builds then list the run).',
  toolset: 'builds',
  kind: 'write',
  scope: SCOPES.controlPlaneWrite,
  input: z.object({
    namespace_name: namespaceName,
    workflow_name: resourceName,
    component_name: componentName.optional(),
    parameters: parameterValues.default({}),
  }),
  output: z.object({ action: z.literal('created'), run: runDetail }),
  authorization: {
    action: 'workflowrun:create',
    target: async (input, { deps }) =>
      input.component_name
        ? componentTarget(await requireResource(deps.store, 'Component', input.namespace_name, input.component_name))
        : namespaceTarget(input.namespace_name),
  },
  handler: async (input, context) => {
    const { store } = context.deps;
    const workflow = await requireResource(store, 'Workflow', input.namespace_name, input.workflow_name);
    const component = input.component_name
      ? await requireResource(store, 'Component', input.namespace_name, input.component_name)
      : undefined;
    const parameters = resolveParameters(workflow, {}, input.parameters);
    return {
      action: 'created' as const,
      run: detailRun(await startRun(store, input.namespace_name, workflow, parameters, component, actorOf(context))),
    };
  },
  summarize: (result) => `started ${result.run.name} (${result.run.workflow}); watch it with get_workflow_run`,
});

export const triggerWorkflowRun = controlPlaneTool({
  name: 'trigger_workflow_run',
  title: 'Trigger workflow run',
  description: "Build a component with its configured workflow; parameters you pass override the component's (e.g. a branch).",
  toolset: 'builds',
  kind: 'write',
  scope: SCOPES.controlPlaneWrite,
  input: z.object({ namespace_name: namespaceName, component_name: componentName, parameters: parameterValues.default({}) }),
  output: z.object({ action: z.literal('triggered'), run: runDetail }),
  authorization: {
    action: 'workflowrun:create',
    target: async (input, { deps }) =>
      componentTarget(await requireResource(deps.store, 'Component', input.namespace_name, input.component_name)),
  },
  handler: async (input, context) => {
    const { store } = context.deps;
    const component = await requireResource(store, 'Component', input.namespace_name, input.component_name);
    if (!component.spec.workflow) {
      throw new InvalidInputError(
        `component ${input.component_name} has no build workflow`,
        'Set one with update_component (workflow), or use create_workflow_run.',
      );
    }
    const workflow = await requireResource(store, 'Workflow', input.namespace_name, component.spec.workflow.name);
    const parameters = resolveParameters(workflow, component.spec.workflow.parameters, input.parameters);
    return {
      action: 'triggered' as const,
      run: detailRun(await startRun(store, input.namespace_name, workflow, parameters, component, actorOf(context))),
    };
  },
  summarize: (result) =>
    `triggered ${result.run.name} (${result.run.workflow}) for ${result.run.component}; watch it with get_workflow_run`,
});

export default [listWorkflowRuns, getWorkflowRun, createWorkflowRun, triggerWorkflowRun];
