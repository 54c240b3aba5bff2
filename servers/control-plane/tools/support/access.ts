import type { AccessTarget } from '../../../../shared/tools/define-tool.js';
import { requireResource } from '../../domain/require-resource.js';
import type { Component, ReleaseBinding } from '../../domain/resources.js';
import type { ResourceStore } from '../../store/resource-store.js';

/** Policy targets built from trusted stored objects, never from labels a client sent. */
export const namespaceTarget = (namespace: string): AccessTarget => ({ resource: { namespace } });

export const projectTarget = (namespace: string, project: string): AccessTarget => ({ resource: { namespace, project } });

export function componentTarget(component: Component): AccessTarget {
  return {
    resource: { namespace: component.metadata.namespace!, project: component.spec.owner.projectName, component: component.metadata.name },
    attributes: { componentType: component.spec.componentType },
  };
}

/** The target of a call on a named component; the handler receives the component it read. */
export async function loadComponentTarget(store: ResourceStore, namespace: string, name: string) {
  const component = await requireResource(store, 'Component', namespace, name);
  return { ...componentTarget(component), loaded: component };
}

/**
 * A release binding's target: its component, plus the environment and whether it is production, read
 * from the Environment object. An environment that does not exist leaves `isProduction` unknown, which
 * the policy treats as "could be production" (a production deny applies). `knownComponent` is the owner
 * when the caller has already read it.
 */
export async function environmentTarget(
  store: ResourceStore,
  namespace: string,
  owner: { projectName: string; componentName: string },
  environment: string,
  knownComponent?: Component,
): Promise<AccessTarget> {
  const [environmentObject, component] = await Promise.all([
    store.get('Environment', namespace, environment),
    knownComponent ?? store.get('Component', namespace, owner.componentName),
  ]);
  return {
    resource: { namespace, project: owner.projectName, component: owner.componentName },
    attributes: {
      environment,
      ...(environmentObject ? { isProduction: environmentObject.spec.isProduction } : {}),
      ...(component ? { componentType: component.spec.componentType } : {}),
    },
  };
}

export function bindingTarget(store: ResourceStore, binding: ReleaseBinding): Promise<AccessTarget> {
  return environmentTarget(store, binding.metadata.namespace!, binding.spec.owner, binding.spec.environment);
}

/** The target of a call on a named release binding; the handler receives the binding it read. */
export async function loadBindingTarget(store: ResourceStore, namespace: string, name: string) {
  const binding = await requireResource(store, 'ReleaseBinding', namespace, name);
  return { ...(await bindingTarget(store, binding)), loaded: binding };
}
