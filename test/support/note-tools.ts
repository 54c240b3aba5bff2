import * as z from 'zod';
import { SCOPES } from '../../shared/auth/scopes.js';
import { defineTool, type AnyToolDefinition } from '../../shared/tools/define-tool.js';

/**
 * A tiny test-only tool family over an in-memory map, so the framework's authorization, scopes,
 * toolsets and audit can be exercised before the platform's own tools exist. It stands in for no
 * real component: it is the smallest real tool the framework can serve.
 */

const target = z.object({
  namespace: z.string(),
  project: z.string(),
  component: z.string(),
  environment: z.enum(['development', 'staging', 'production']),
});
const keyOf = (input: z.infer<typeof target>) => `${input.namespace}/${input.project}/${input.component}/${input.environment}`;
const accessTarget = (input: z.infer<typeof target>) => ({
  resource: { namespace: input.namespace, project: input.project, component: input.component },
  attributes: { environment: input.environment, isProduction: input.environment === 'production' },
});

export function createNoteTools(notes: Map<string, string>): AnyToolDefinition<unknown>[] {
  return [
    defineTool({
      name: 'read_note',
      title: 'Read note',
      description: 'Read the note on a release binding.',
      toolset: 'notes',
      kind: 'read',
      scope: SCOPES.controlPlaneRead,
      input: target,
      output: z.object({ note: z.string().nullable() }),
      authorization: { action: 'releasebinding:view', target: accessTarget },
      handler: async (input) => ({ note: notes.get(keyOf(input)) ?? null }),
    }),
    defineTool({
      name: 'write_note',
      title: 'Write note',
      description: 'Write the note on a release binding.',
      toolset: 'notes',
      kind: 'write',
      idempotent: true,
      scope: SCOPES.controlPlaneWrite,
      input: target.extend({ note: z.string().max(200), password: z.string().optional() }),
      output: z.object({ before: z.string().nullable(), after: z.string() }),
      authorization: { action: 'releasebinding:update', target: accessTarget },
      handler: async (input) => {
        const before = notes.get(keyOf(input)) ?? null;
        notes.set(keyOf(input), input.note);
        return { before, after: input.note };
      },
    }),
    defineTool({
      name: 'delete_note',
      title: 'Delete note',
      description: 'Delete the note on a release binding.',
      toolset: 'notes',
      kind: 'destructive',
      scope: SCOPES.controlPlaneWrite,
      input: target,
      output: z.object({ deleted: z.boolean() }),
      authorization: { action: 'releasebinding:delete', target: accessTarget },
      handler: async (input) => ({ deleted: notes.delete(keyOf(input)) }),
    }),
  ];
}
