import { InvalidInputError } from '../../../shared/errors/plane-errors.js';
import type { Actor, ResourceStore } from '../store/resource-store.js';
import { ResourceExistsError } from '../store/store-errors.js';
import { workflowRunSchema, type Component, type Workflow, type WorkflowRun } from './resources.js';

/** How many run numbers a start tries after the count of existing runs before giving up. */
const NAME_ATTEMPTS = 20;

/**
 * A run's parameters: the caller's overrides over the base (a component's configured parameters) over
 * the workflow's defaults. A parameter the workflow does not declare, or a required one left unset, is refused.
 */
export function resolveRunParameters(
  workflow: Workflow,
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
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

/**
 * Create a Pending run named `<component>-build-NN` (or `<workflow>-run-NN` without a component), NN
 * the next free number; the data plane executes it.
 */
export async function startWorkflowRun(
  store: ResourceStore,
  namespace: string,
  workflow: Workflow,
  parameters: Record<string, unknown>,
  component: Component | undefined,
  actor: Actor,
): Promise<WorkflowRun> {
  const prefix = component ? `${component.metadata.name}-build` : `${workflow.metadata.name}-run`;
  const existing = await store.count('WorkflowRun');
  for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
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
