import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { cursor, limit } from './support/arguments.js';
import { controlPlaneTool } from './support/define.js';
import { listVisible } from './support/pagination.js';
import { listOutput, namespaceView, viewNamespace } from './support/views.js';

export const listNamespaces = controlPlaneTool({
  name: 'list_namespaces',
  title: 'List namespaces',
  description: 'List the namespaces (organisations) you can see.',
  toolset: 'discovery',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ limit, cursor }),
  output: listOutput('namespaces', namespaceView),
  authorization: { action: 'namespace:view', target: () => ({ resource: {} }), filtersItems: true },
  handler: async (input, { deps, isAllowed }) => {
    const page = await listVisible(
      deps.store,
      { kind: 'Namespace' },
      (item) => isAllowed('namespace:view', { resource: { namespace: item.metadata.name } }),
      input,
    );
    return { namespaces: page.items.map(viewNamespace), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  },
  summarize: (result) =>
    `namespaces: ${result.namespaces.map((item) => item.name).join(', ') || 'none'}${result.next_cursor ? ' (more: pass next_cursor)' : ''}`,
});

export default [listNamespaces];
