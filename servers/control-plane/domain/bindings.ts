import type { ResourceStore } from '../store/resource-store.js';
import { checkOverrides } from './effective-settings.js';
import { requireReferences } from './references.js';
import type { ComponentRelease, ReleaseBinding } from './resources.js';

/** A component's binding in an environment is named `<component>-<environment>` (cut to a valid name). */
export function bindingNameFor(componentName: string, environment: string): string {
  return `${componentName}-${environment}`.slice(0, 63).replace(/-+$/, '');
}

/** A new binding: every reference holds (namespace, project, component, environment, release) and its overrides fit the release. */
export function checkNewBinding(store: Pick<ResourceStore, 'get'>, binding: ReleaseBinding): Promise<ComponentRelease> {
  return checkBinding(store, binding);
}

/** A changed binding (release, state, overrides): the release it names is the component's, and the overrides fit it. */
export function checkChangedBinding(store: Pick<ResourceStore, 'get'>, binding: ReleaseBinding): Promise<ComponentRelease> {
  return checkBinding(store, binding, ['spec.releaseName']);
}

/** Returns the binding's release, for its effective settings. */
async function checkBinding(store: Pick<ResourceStore, 'get'>, binding: ReleaseBinding, fields?: readonly string[]) {
  const resolved = await requireReferences(store, binding, fields);
  const release = resolved.find(({ target }) => target.kind === 'ComponentRelease')?.target as ComponentRelease;
  checkOverrides(release, binding);
  return release;
}
