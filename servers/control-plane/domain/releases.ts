import { InvalidInputError } from '../../../shared/errors/plane-errors.js';
import type { Actor, ResourceStore } from '../store/resource-store.js';
import { ResourceExistsError } from '../store/store-errors.js';
import { splitComponentTypeRef } from './names.js';
import { requireResource } from './require-resource.js';
import { componentReleaseSchema, type Component, type ComponentRelease, type ComponentType } from './resources.js';

/** How many names `<component>-<yyyymmdd>-<n>` one day offers before a caller must name the release. */
const RELEASES_PER_DAY = 100;

/** The default name of a component's `sequence`-th release of `day`: `<component>-<yyyymmdd>-<n>`, cut to 63 characters. */
export function releaseNameFor(componentName: string, day: Date, sequence: number): string {
  return `${componentName}-${day.toISOString().slice(0, 10).replace(/-/g, '')}-${sequence}`.slice(0, 63);
}

/** What a release snapshots: the component's image, endpoints, dependencies and env, and its type's defaults. */
export function snapshotRelease(component: Component, componentType: ComponentType, image: string, name: string): ComponentRelease {
  return componentReleaseSchema.parse({
    kind: 'ComponentRelease',
    metadata: { name, namespace: component.metadata.namespace },
    spec: {
      owner: { projectName: component.spec.owner.projectName, componentName: component.metadata.name },
      componentType: component.spec.componentType,
      image,
      endpoints: component.spec.endpoints,
      dependencies: component.spec.dependencies,
      env: component.spec.env,
      defaults: componentType.spec.defaults,
    },
  });
}

/**
 * Snapshot what a component runs now as an immutable release, and record it as the component's latest.
 * Without a name, the first free `<component>-<yyyymmdd>-<n>`; a given name that exists is a conflict.
 */
export async function cutRelease(
  store: ResourceStore,
  component: Component,
  actor: Actor,
  image: string,
  name?: string,
): Promise<ComponentRelease> {
  const namespace = component.metadata.namespace!;
  const componentType = await requireResource(
    store,
    'ComponentType',
    namespace,
    splitComponentTypeRef(component.spec.componentType).typeName,
  );
  const day = new Date();
  for (let sequence = 1; sequence <= RELEASES_PER_DAY; sequence++) {
    const release = snapshotRelease(component, componentType, image, name ?? releaseNameFor(component.metadata.name, day, sequence));
    try {
      const created = await store.create(release, actor);
      await store.modify('Component', namespace, component.metadata.name, actor, (current) => ({
        ...current,
        status: { conditions: [], ...current.status, latestRelease: created.metadata.name },
      }));
      return created;
    } catch (error) {
      if (!(error instanceof ResourceExistsError) || name !== undefined) throw error;
    }
  }
  throw new InvalidInputError(`too many releases of ${component.metadata.name} today`, 'Pass release_name explicitly.');
}
