import type { AccessTarget } from '../../../../shared/tools/define-tool.js';
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

/**
 * A release binding's target: its component, plus the environment and whether it is production, read
 * from the Environment object. An environment that does not exist leaves `isProduction` unknown, which
 * the policy treats as "could be production" (a production deny applies).
 */
export async function environmentTarget(
  store: ResourceStore,
  namespace: string,
  owner: { projectName: string; componentName: string },
  environment: string,
): Promise<AccessTarget> {
  const [environmentObject, component] = await Promise.all([
    store.get('Environment', namespace, environment),
    store.get('Component', namespace, owner.componentName),
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
