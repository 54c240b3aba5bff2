import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { namespaceTarget } from './support/access.js';
import { cursor, limit, namespaceName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { listOutput, pipelineView, viewPipeline } from './support/views.js';

export const listDeploymentPipelines = controlPlaneTool({
  name: 'list_deployment_pipelines',
  title: 'List deployment pipelines',
  description: 'List deployment pipelines and their promotion paths (which environment promotes to which).',
  toolset: 'discovery',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, limit, cursor }),
  output: listOutput('deployment_pipelines', pipelineView),
  authorization: { action: 'deploymentpipeline:view', target: (input) => namespaceTarget(input.namespace_name) },
  handler: async (input, { deps }) => {
    const page = await listVisible(deps.store, { kind: 'DeploymentPipeline', namespace: input.namespace_name }, () => true, input);
    return { deployment_pipelines: page.items.map(viewPipeline), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) =>
    result.deployment_pipelines
      .map((pipeline) => `${pipeline.name}: ${pipeline.promotionPaths.map((path) => `${path.from} → ${path.to.join('|')}`).join(', ')}`)
      .join('; ') || 'no pipelines',
});

export default [listDeploymentPipelines];
