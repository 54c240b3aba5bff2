import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import type { AccessTarget } from '../../../shared/tools/define-tool.js';
import { InvalidInputError } from '../../../shared/errors/plane-errors.js';
import { resourceName } from '../domain/names.js';
import { requireResource } from '../domain/require-resource.js';
import { runPhases, type WorkflowRun } from '../domain/resources.js';
import { resolveRunParameters, startWorkflowRun } from '../domain/workflow-runs.js';
import { loadComponentTarget, namespaceTarget, projectTarget } from './support/access.js';
import { componentName, cursor, limit, namespaceName, projectName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { actorOf } from './support/resources.js';
import { detailRun, listOutput, runDetail, runView, viewRun } from './support/views.js';

const parameterValues = z
  .record(z.string().max(63), z.union([z.string().max(1000), z.number(), z.boolean()]))
  .refine((value) => Object.keys(value).length <= 50, { error: 'at most 50 parameters' })
  .describe('Workflow parameters, e.g. {"branch": "main"}');

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
      if (input.component_name) return loadComponentTarget(deps.store, input.namespace_name, input.component_name);
      const target = input.project_name ? projectTarget(input.namespace_name, input.project_name) : namespaceTarget(input.namespace_name);
      return { ...target, loaded: undefined };
    },
    filtersItems: true,
  },
  handler: async (input, { deps, isAllowed }, component) => {
    const project = component ? component.spec.owner.projectName : input.project_name;
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
    target: async (input, { deps }) => {
      const run = await requireResource(deps.store, 'WorkflowRun', input.namespace_name, input.run_name);
      return { ...runTarget(run), loaded: run };
    },
  },
  handler: async (_input, _context, run) => detailRun(run),
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
        ? loadComponentTarget(deps.store, input.namespace_name, input.component_name)
        : { ...namespaceTarget(input.namespace_name), loaded: undefined },
  },
  handler: async (input, context, component) => {
    const { store } = context.deps;
    const workflow = await requireResource(store, 'Workflow', input.namespace_name, input.workflow_name);
    const parameters = resolveRunParameters(workflow, {}, input.parameters);
    return {
      action: 'created' as const,
      run: detailRun(await startWorkflowRun(store, input.namespace_name, workflow, parameters, component, actorOf(context))),
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
    target: (input, { deps }) => loadComponentTarget(deps.store, input.namespace_name, input.component_name),
  },
  handler: async (input, context, component) => {
    const { store } = context.deps;
    if (!component.spec.workflow) {
      throw new InvalidInputError(
        `component ${input.component_name} has no build workflow`,
        'Set one with update_component (workflow), or use create_workflow_run.',
      );
    }
    const workflow = await requireResource(store, 'Workflow', input.namespace_name, component.spec.workflow.name);
    const parameters = resolveRunParameters(workflow, component.spec.workflow.parameters, input.parameters);
    return {
      action: 'triggered' as const,
      run: detailRun(await startWorkflowRun(store, input.namespace_name, workflow, parameters, component, actorOf(context))),
    };
  },
  summarize: (result) =>
    `triggered ${result.run.name} (${result.run.workflow}) for ${result.run.component}; watch it with get_workflow_run`,
});

export default [listWorkflowRuns, getWorkflowRun, createWorkflowRun, triggerWorkflowRun];
