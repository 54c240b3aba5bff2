import * as z from 'zod';
import type { AuditStore } from '../audit/audit-event.js';
import { defineTool, type ToolContext } from './define-tool.js';
import { timestampArgument } from './timestamp-argument.js';

const auditEvent = z.object({
  id: z.string(),
  time: z.string(),
  subject: z.string(),
  clientId: z.string(),
  tool: z.string(),
  action: z.string(),
  resource: z.string().optional(),
  decision: z.string(),
  rule: z.string().optional(),
  outcome: z.string(),
  errorCode: z.string().optional(),
  durationMs: z.number(),
  arguments: z.unknown(),
});

export interface AuditEventsToolOptions<Deps> {
  /** The server's read scope. */
  scope: string;
  /** This server's own audit store. */
  store: (deps: Deps) => AuditStore;
}

/**
 * `query_audit_events` for a server: its own audit trail (every tool call, allowed or denied, with the
 * rule behind the decision and redacted arguments), newest first, paged. Policy action `audit:view`.
 */
export function createAuditEventsTool<Deps>(options: AuditEventsToolOptions<Deps>) {
  return defineTool({
    name: 'query_audit_events',
    title: 'Query audit events',
    description:
      'What did people and agents do (or try to do) through this server? Newest first; filter by subject, tool, decision and time.',
    toolset: 'identity',
    kind: 'read',
    scope: options.scope,
    input: z.object({
      subject: z.string().max(250).optional().describe('user:<id> or service:<client-id>'),
      tool: z.string().max(63).optional(),
      decision: z.enum(['allow', 'deny', 'not_evaluated']).optional(),
      since: timestampArgument('Events at or after this time').optional(),
      until: timestampArgument('Events at or before this time').optional(),
      limit: z.number().int().min(1).max(100).default(20),
      cursor: z.string().max(64).optional().describe('next_cursor from the previous page'),
    }),
    output: z.object({ events: z.array(auditEvent), next_cursor: z.string().optional() }),
    authorization: { action: 'audit:view', target: () => ({ resource: {} }) },
    handler: async (input, { deps }: ToolContext<Deps>) => {
      const events = await options.store(deps).query({
        ...(input.subject ? { subject: input.subject } : {}),
        ...(input.tool ? { tool: input.tool } : {}),
        ...(input.decision ? { decision: input.decision } : {}),
        ...(input.since ? { since: input.since } : {}),
        ...(input.until ? { until: input.until } : {}),
        ...(input.cursor ? { before: input.cursor } : {}),
        limit: input.limit + 1,
      });
      const page = events
        .slice(0, input.limit)
        .map(
          ({ id, time, subject, clientId, tool, action, resource, decision, rule, outcome, errorCode, durationMs, arguments: args }) => ({
            id,
            time,
            subject,
            clientId,
            tool,
            action,
            ...(resource ? { resource } : {}),
            decision,
            ...(rule ? { rule } : {}),
            outcome,
            ...(errorCode ? { errorCode } : {}),
            durationMs,
            arguments: args,
          }),
        );
      return { events: page, ...(events.length > input.limit ? { next_cursor: page[page.length - 1]!.id } : {}) };
    },
    summarize: (result) =>
      result.events
        .map(
          (event) =>
            `${event.time} ${event.subject} ${event.tool} ${event.decision}${event.rule ? ` (${event.rule})` : ''} ${event.outcome}`,
        )
        .join('\n') || 'no events',
  });
}
