import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { InvalidInputError } from '../../../shared/errors/plane-errors.js';
import { resourceName } from '../domain/names.js';
import { cutRelease } from '../domain/releases.js';
import { requireResource } from '../domain/require-resource.js';
import { loadComponentTarget } from './support/access.js';
import { componentName, cursor, limit, namespaceName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { actorOf } from './support/resources.js';
import { detailRelease, listOutput, releaseDetail, releaseView, viewRelease } from './support/views.js';

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
    target: (input, { deps }) => loadComponentTarget(deps.store, input.namespace_name, input.component_name),
  },
  handler: async (input, { deps }, component) => {
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
        loaded: release,
      };
    },
  },
  handler: async (_input, _context, release) => detailRelease(release),
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
    target: (input, { deps }) => loadComponentTarget(deps.store, input.namespace_name, input.component_name),
  },
  handler: async (input, context, component) => {
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
