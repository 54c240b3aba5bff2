import type { ScopeChallengeHandler } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { callerOf } from '../auth/verify-token.js';
import { redactArguments } from '../audit/redact.js';
import type { AnyToolDefinition } from './define-tool.js';
import type { CallEnvironment } from './run-tool-call.js';

/**
 * The tool's OAuth scope check, run by the SDK before the handler: a token without the scope gets HTTP
 * 403 `insufficient_scope` naming it (so clients can step up), and the refusal is audited like a denial.
 */
export function scopeChallengeFor<Deps>(tool: AnyToolDefinition<Deps>, env: CallEnvironment<Deps>): ScopeChallengeHandler {
  return async ({ request, authInfo }) => {
    if (!authInfo || authInfo.scopes.includes(tool.scope)) return undefined;
    const subject = callerOf(authInfo)?.subject;
    env.metrics.toolCalls.inc({ tool: tool.name, outcome: 'insufficient_scope' });
    env.metrics.denials.inc({ tool: tool.name, reason: 'insufficient_scope' });
    try {
      await env.audit.record({
        id: randomUUID(),
        time: new Date().toISOString(),
        plane: env.plane,
        subject: subject ? `${subject.type}:${subject.id}` : `client:${authInfo.clientId}`,
        subjectType: subject?.type ?? 'service',
        groups: subject?.groups ?? [],
        clientId: authInfo.clientId,
        tool: tool.name,
        action: 'callerOnly' in tool.authorization ? 'caller-only' : tool.authorization.action,
        decision: 'deny',
        rule: `insufficient_scope:${tool.scope}`,
        arguments: redactArguments((request.params as { arguments?: unknown } | undefined)?.arguments ?? {}),
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
