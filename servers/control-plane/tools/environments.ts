import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { namespaceTarget } from './support/access.js';
import { cursor, limit, namespaceName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { environmentView, listOutput, viewEnvironment } from './support/views.js';

export const listEnvironments = controlPlaneTool({
  name: 'list_environments',
  title: 'List environments',
  description: 'List the environments of a namespace and which are production.',
  toolset: 'discovery',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, limit, cursor }),
  output: listOutput('environments', environmentView),
  authorization: { action: 'environment:view', target: (input) => namespaceTarget(input.namespace_name) },
  handler: async (input, { deps }) => {
    const page = await listVisible(deps.store, { kind: 'Environment', namespace: input.namespace_name }, () => true, input);
    return { environments: page.items.map(viewEnvironment), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) =>
    `environments: ${result.environments.map((item) => `${item.name}${item.isProduction ? ' (production)' : ''}`).join(', ') || 'none'}`,
});

export default [listEnvironments];
