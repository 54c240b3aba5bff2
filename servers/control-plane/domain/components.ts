import { InvalidInputError } from '../../../shared/errors/plane-errors.js';
import type { ResourceStore } from '../store/resource-store.js';
import { requireReferences } from './references.js';
import type { Component, ComponentType } from './resources.js';

/** A new component: every reference holds (namespace, project, type, workflow) and its type allows its build workflow. */
export function checkNewComponent(store: Pick<ResourceStore, 'get'>, component: Component): Promise<void> {
  return checkComponent(store, component);
}

/** A component given a (new) build workflow: the workflow exists and the component's type allows it. */
export function checkChangedWorkflow(store: Pick<ResourceStore, 'get'>, component: Component): Promise<void> {
  return checkComponent(store, component, ['spec.componentType', 'spec.workflow.name']);
}

async function checkComponent(store: Pick<ResourceStore, 'get'>, component: Component, fields?: readonly string[]): Promise<void> {
  const resolved = await requireReferences(store, component, fields);
  const workflow = component.spec.workflow?.name;
  const componentType = resolved.find(({ target }) => target.kind === 'ComponentType')?.target as ComponentType;
  if (workflow !== undefined && !componentType.spec.allowedWorkflows.includes(workflow)) {
    throw new InvalidInputError(
      `component type ${component.spec.componentType} does not allow workflow ${workflow}`,
      `Allowed: ${componentType.spec.allowedWorkflows.join(', ') || 'none'}.`,
    );
  }
}
