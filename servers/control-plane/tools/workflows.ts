import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { namespaceTarget } from './support/access.js';
import { cursor, limit, namespaceName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { listOutput, viewWorkflow, workflowView } from './support/views.js';

export const listWorkflows = controlPlaneTool({
  name: 'list_workflows',
  title: 'List workflows',
  description: 'List build workflows (e.g. dockerfile-builder) with their tasks and parameters.',
  toolset: 'builds',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, limit, cursor }),
  output: listOutput('workflows', workflowView),
  authorization: { action: 'workflow:view', target: (input) => namespaceTarget(input.namespace_name) },
  handler: async (input, { deps }) => {
    const page = await listVisible(deps.store, { kind: 'Workflow', namespace: input.namespace_name }, () => true, input);
    return { workflows: page.items.map(viewWorkflow), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) =>
    `workflows: ${result.workflows.map((workflow) => `${workflow.name} (${workflow.tasks.join(' → ')})`).join('; ') || 'none'}`,
});

export default [listWorkflows];
