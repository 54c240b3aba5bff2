import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { resourceName } from '../domain/names.js';
import { requireReferences } from '../domain/references.js';
import { requireResource } from '../domain/require-resource.js';
import { DESCRIPTION_ANNOTATION, DISPLAY_NAME_ANNOTATION, parseResource, type Project } from '../domain/resources.js';
import { namespaceTarget, projectTarget } from './support/access.js';
import { cursor, description, displayName, limit, namespaceName, projectName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { actorOf } from './support/resources.js';
import { listOutput, projectDetail, detailProject, projectView, viewProject } from './support/views.js';

export const listProjects = controlPlaneTool({
  name: 'list_projects',
  title: 'List projects',
  description: 'List the projects in a namespace that you can see.',
  toolset: 'discovery',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, limit, cursor }),
  output: listOutput('projects', projectView),
  authorization: { action: 'project:view', target: (input) => namespaceTarget(input.namespace_name), filtersItems: true },
  handler: async (input, { deps, isAllowed }) => {
    const page = await listVisible(
      deps.store,
      { kind: 'Project', namespace: input.namespace_name },
      (item) => isAllowed('project:view', projectTarget(input.namespace_name, item.metadata.name)),
      input,
    );
    return { projects: page.items.map(viewProject), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) =>
    `projects: ${result.projects.map((item) => item.name).join(', ') || 'none'}${result.next_cursor ? ' (more: pass next_cursor)' : ''}`,
});

export const getProject = controlPlaneTool({
  name: 'get_project',
  title: 'Get project',
  description: 'Show one project: its deployment pipeline and who changed it last.',
  toolset: 'discovery',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, project_name: projectName }),
  output: projectDetail,
  authorization: { action: 'project:view', target: (input) => projectTarget(input.namespace_name, input.project_name) },
  handler: async (input, { deps }) => detailProject(await requireResource(deps.store, 'Project', input.namespace_name, input.project_name)),
});

export const createProject = controlPlaneTool({
  name: 'create_project',
  title: 'Create project',
  description: 'Create a project in a namespace, promoted through a deployment pipeline (default: "default").',
  toolset: 'authoring',
  kind: 'write',
  scope: SCOPES.controlPlaneWrite,
  input: z.object({
    namespace_name: namespaceName,
    name: resourceName.describe('Project name (Kubernetes name: lowercase letters, digits, -)'),
    display_name: displayName,
    description,
    deployment_pipeline: resourceName.default('default').describe('Deployment pipeline name'),
  }),
  output: z.object({ action: z.literal('created'), project: projectDetail }),
  authorization: { action: 'project:create', target: (input) => namespaceTarget(input.namespace_name) },
  handler: async (input, context) => {
    const { store } = context.deps;
    const project = parseResource({
      kind: 'Project',
      metadata: {
        name: input.name,
        namespace: input.namespace_name,
        annotations: {
          ...(input.display_name ? { [DISPLAY_NAME_ANNOTATION]: input.display_name } : {}),
          ...(input.description ? { [DESCRIPTION_ANNOTATION]: input.description } : {}),
        },
      },
      spec: { deploymentPipelineRef: input.deployment_pipeline },
    }) as Project;
    await requireReferences(store, project);
    return { action: 'created' as const, project: detailProject(await store.create(project, actorOf(context))) };
  },
  summarize: (result) =>
    `created project ${result.project.namespace}/${result.project.name} (pipeline ${result.project.deploymentPipeline})`,
});

export default [listProjects, getProject, createProject];
