import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { namespaceTarget } from './support/access.js';
import { cursor, limit, namespaceName } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { componentTypeView, listOutput, viewComponentType } from './support/views.js';

export const listComponentTypes = controlPlaneTool({
  name: 'list_component_types',
  title: 'List component types',
  description: 'List the component types (e.g. deployment/service) with their default replicas, resources and allowed build workflows.',
  toolset: 'discovery',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ namespace_name: namespaceName, limit, cursor }),
  output: listOutput('component_types', componentTypeView),
  authorization: { action: 'componenttype:view', target: (input) => namespaceTarget(input.namespace_name) },
  handler: async (input, { deps }) => {
    const page = await listVisible(deps.store, { kind: 'ComponentType', namespace: input.namespace_name }, () => true, input);
    return { component_types: page.items.map(viewComponentType), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) => `component types: ${result.component_types.map((item) => item.name).join(', ') || 'none'}`,
});

export default [listComponentTypes];
