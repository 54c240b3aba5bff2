import type { ScopeChallengeHandler } from '@modelcontextprotocol/server';
import { callerOf } from '../auth/verify-token.js';
import type { AnyToolDefinition } from './define-tool.js';
import { auditEventStart, type CallEnvironment } from './run-tool-call.js';

/**
 * The tool's OAuth scope check, run by the SDK before the handler: a token without the scope gets HTTP
 * 403 `insufficient_scope` naming it (so clients can step up), and the refusal is audited like a denial.
 */
export function scopeChallengeFor<Deps>(tool: AnyToolDefinition<Deps>, env: CallEnvironment<Deps>): ScopeChallengeHandler {
  return async ({ request, authInfo }) => {
    if (!authInfo || authInfo.scopes.includes(tool.scope)) return undefined;
    // The bearer gate only lets verified callers through, so the subject is there; the fallback keeps the refusal audited regardless.
    const subject = callerOf(authInfo)?.subject ?? { type: 'service' as const, id: authInfo.clientId, groups: [] };
    env.metrics.toolCalls.inc({ tool: tool.name, outcome: 'insufficient_scope' });
    env.metrics.denials.inc({ tool: tool.name, reason: 'insufficient_scope' });
    try {
      await env.audit.record({
        ...auditEventStart(tool, subject, authInfo.clientId, (request.params as { arguments?: unknown } | undefined)?.arguments, env.plane),
        decision: 'deny',
        rule: `insufficient_scope:${tool.scope}`,
        outcome: 'insufficient_scope',
        errorCode: 'insufficient_scope',
        durationMs: 0,
      });
    } catch {
      // logged by AuditLog; the refusal stands either way
    }
    return { scopes: [tool.scope], errorDescription: `The ${tool.name} tool requires the ${tool.scope} scope` };
  };
}
