import * as z from 'zod';
import { defineTool, type ToolContext } from './define-tool.js';

const output = z.object({
  subject: z.object({ type: z.enum(['user', 'service']), id: z.string(), name: z.string().optional() }),
  groups: z.array(z.string()),
  clientId: z.string(),
  scopes: z.array(z.string()),
  roles: z.array(
    z.object({
      role: z.string(),
      binding: z.string(),
      scope: z.string(),
      effect: z.enum(['allow', 'deny']),
      subject: z.string().describe('the entitlement the binding matched, e.g. group:developers'),
      when: z.string().optional().describe('the binding condition, if any'),
    }),
  ),
  allowedActions: z.array(z.object({ action: z.string(), scopes: z.array(z.string()) })),
  tools: z.array(z.string()),
  tokenExpiresAt: z.string().optional(),
  policyVersion: z.number(),
});

/** `whoami` for a server whose read scope is `scope`: who the caller is and what the policy lets it do. */
export function createWhoamiTool<Deps>(scope: string) {
  return defineTool({
    name: 'whoami',
    title: 'Who am I',
    description:
      'Your identity as this server sees it: subject, groups or client, token scopes, roles, and the actions and tools you may use.',
    toolset: 'identity',
    kind: 'read',
    scope,
    input: z.object({}),
    output,
    authorization: { callerOnly: true, reason: 'describes only the caller, so a caller with no roles can learn that it has none' },
    handler: async (_input, context: ToolContext<Deps>) => {
      const { subject } = context;
      return {
        subject: { type: subject.type, id: subject.id, ...(subject.name ? { name: subject.name } : {}) },
        groups: subject.groups,
        clientId: context.clientId,
        scopes: [...context.scopes],
        roles: context.policy.rolesOf(subject),
        allowedActions: context.policy.capabilities(subject),
        tools: context.visibleTools(),
        ...(context.tokenExpiresAt ? { tokenExpiresAt: new Date(context.tokenExpiresAt * 1000).toISOString() } : {}),
        policyVersion: context.policy.version,
      };
    },
    summarize: (result) =>
      `${result.subject.type} ${result.subject.id}${result.groups.length ? ` (groups: ${result.groups.join(', ')})` : ''} via client ${result.clientId}; ` +
      `roles: ${result.roles.map((role) => `${role.effect === 'deny' ? 'deny ' : ''}${role.role}@${role.scope}`).join(', ') || 'none'}; ` +
      `scopes: ${result.scopes.join(' ') || 'none'}; tools: ${result.tools.join(', ')}`,
  });
}
