import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { InvalidInputError } from '../../../shared/tools/errors.js';
import { resourceName } from '../domain/names.js';
import { componentReleaseSchema, type Component, type ComponentRelease } from '../domain/resources.js';
import type { Actor, ResourceStore } from '../store/resource-store.js';
import { ResourceExistsError } from '../store/store-errors.js';
import { componentTarget } from './support/access.js';
import { componentName, cursor, limit, namespaceName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { actorOf, requireResource } from './support/resources.js';
import { detailRelease, listOutput, releaseDetail, releaseView, viewRelease } from './support/views.js';

/**
 * Snapshot what a component runs now (image, endpoints, dependencies, env, its type's defaults) as an
 * immutable release, and record it as the component's latest. Without a name, `<component>-<yyyymmdd>-<n>`.
 */
export async function cutRelease(
  store: ResourceStore,
  component: Component,
  actor: Actor,
  image: string,
  name?: string,
): Promise<ComponentRelease> {
  const namespace = component.metadata.namespace!;
  const typeName = component.spec.componentType.split('/')[1]!;
  const componentType = await requireResource(store, 'ComponentType', namespace, typeName);
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  for (let sequence = 1; sequence <= 100; sequence++) {
    const releaseName = name ?? `${component.metadata.name}-${day}-${sequence}`.slice(0, 63);
    const release = componentReleaseSchema.parse({
      kind: 'ComponentRelease',
      metadata: { name: releaseName, namespace },
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

export const listComponentReleases = controlPlaneTool({
  name: 'list_component_releases',
  title: 'List component releases',
  description: 'List the immutable releases (image + configuration snapshots) of a component.',
  toolset: 'deployment',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, component_name: componentName, limit, cursor }),
  output: listOutput('releases', releaseView),
  authorization: {
    action: 'componentrelease:view',
    target: async (input, { deps }) =>
      componentTarget(await requireResource(deps.store, 'Component', input.namespace_name, input.component_name)),
  },
  handler: async (input, { deps }) => {
    const component = await requireResource(deps.store, 'Component', input.namespace_name, input.component_name);
    const page = await listVisible(
      deps.store,
      {
        kind: 'ComponentRelease',
        namespace: input.namespace_name,
        project: component.spec.owner.projectName,
        component: input.component_name,
      },
      () => true,
      input,
    );
    return { releases: page.items.map(viewRelease), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) => `releases: ${result.releases.map((release) => `${release.name} (${release.image})`).join(', ') || 'none'}`,
});

export const getComponentRelease = controlPlaneTool({
  name: 'get_component_release',
  title: 'Get component release',
  description: 'Show one release: image, endpoints, dependencies, environment variables and default resources.',
  toolset: 'deployment',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, release_name: resourceName }),
  output: releaseDetail,
  authorization: {
    action: 'componentrelease:view',
    target: async (input, { deps }) => {
      const release = await requireResource(deps.store, 'ComponentRelease', input.namespace_name, input.release_name);
      return {
        resource: { namespace: input.namespace_name, project: release.spec.owner.projectName, component: release.spec.owner.componentName },
      };
    },
  },
  handler: async (input, { deps }) =>
    detailRelease(await requireResource(deps.store, 'ComponentRelease', input.namespace_name, input.release_name)),
});

export const createComponentRelease = controlPlaneTool({
  name: 'create_component_release',
  title: 'Create component release',
  description: "Cut an immutable release from the component's current image and configuration.",
  toolset: 'deployment',
  kind: 'write',
  scope: SCOPES.controlPlaneWrite,
  input: z.object({
    namespace_name: namespaceName,
    component_name: componentName,
    release_name: resourceName.optional().describe('Default: <component>-<yyyymmdd>-<n>'),
    image: z.string().max(300).optional().describe("Default: the component's image"),
  }),
  output: z.object({ action: z.literal('created'), release: releaseDetail }),
  authorization: {
    action: 'componentrelease:create',
    target: async (input, { deps }) =>
      componentTarget(await requireResource(deps.store, 'Component', input.namespace_name, input.component_name)),
  },
  handler: async (input, context) => {
    const component = await requireResource(context.deps.store, 'Component', input.namespace_name, input.component_name);
    const image = input.image ?? component.spec.image;
    if (!image) {
      throw new InvalidInputError(
        `component ${input.component_name} has no image yet`,
        'Build it with trigger_workflow_run (a successful build cuts a release), or pass image.',
      );
    }
    const release = await cutRelease(context.deps.store, component, actorOf(context), image, input.release_name);
    return { action: 'created' as const, release: detailRelease(release) };
  },
  summarize: (result) => `created release ${result.release.name} of ${result.release.component} (${result.release.image})`,
});

export default [listComponentReleases, getComponentRelease, createComponentRelease];
