import type { AuthInfo, CallToolResult } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as z from 'zod';
import { callerOf } from '../auth/verify-token.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import { redactArguments } from '../audit/redact.js';
import type { Decision, PolicyEngine, PreparedCheck } from '../authz/policy-engine.js';
import { resourcePath } from '../authz/resource-path.js';
import type { Subject } from '../auth/subject.js';
import type { Logger } from '../telemetry/logger.js';
import type { ServerMetrics } from '../telemetry/metrics.js';
import type { PlaneTracing } from '../telemetry/tracing.js';
import type { AnyToolDefinition, ToolContext } from './define-tool.js';
import { asPlaneError, ForbiddenError, InvalidInputError, type PlaneError } from '../errors/plane-errors.js';

/** Everything a call needs besides the tool and its arguments; one per server. */
export interface CallEnvironment<Deps> {
  plane: string;
  policy: PolicyEngine;
  audit: AuditLog;
  metrics: ServerMetrics;
  logger: Logger;
  deps: Deps;
  /** Names of the tools this server would list for a subject. */
  visibleTools: (subject: Subject) => string[];
  /** Present only when OpenTelemetry tracing is on (`PLANE_OTEL_TRACES_ENDPOINT`). */
  tracing?: Pick<PlaneTracing, 'recordToolCall'>;
}

/**
 * The one path every tool call takes: parse the input, authorize against the shared policy, run the
 * handler, audit, and map any failure to an `isError` result that says what to do next.
 * (The OAuth scope was already checked by the tool's scope challenge.)
 */
export async function runToolCall<Deps>(
  tool: AnyToolDefinition<Deps>,
  rawArguments: unknown,
  authInfo: AuthInfo | undefined,
  env: CallEnvironment<Deps>,
): Promise<CallToolResult> {
  const started = performance.now();
  const caller = callerOf(authInfo);
  if (!caller || !authInfo) return errorResult(asPlaneError(new Error('call reached a tool without a verified caller')));
  const { subject } = caller;
  const event = auditEventStart(tool, subject, authInfo.clientId, rawArguments, env.plane);
  const { action } = event;
  const finish = async (fields: Pick<AuditEvent, 'outcome' | 'decision'> & Partial<AuditEvent>, result: CallToolResult) => {
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    env.metrics.toolCalls.inc({ tool: tool.name, outcome: fields.outcome });
    env.metrics.toolCallDuration.observe({ tool: tool.name }, durationMs / 1000);
    env.tracing?.recordToolCall({
      plane: env.plane,
      tool: tool.name,
      outcome: fields.outcome,
      decision: fields.decision,
      ...(fields.rule !== undefined ? { rule: fields.rule } : {}),
      ...(fields.errorCode !== undefined ? { errorCode: fields.errorCode } : {}),
      subjectType: subject.type,
      auditId: event.id,
      startedAt: started,
      durationMs,
    });
    try {
      await env.audit.record({ ...event, ...fields, durationMs });
    } catch {
      // AuditLog has logged the failure; the call's own result still stands (a mutation may have happened).
    }
    return result;
  };

  const parsed = tool.input.safeParse(rawArguments ?? {});
  if (!parsed.success) {
    const error = new InvalidInputError(`Invalid arguments for ${tool.name}:\n${z.prettifyError(parsed.error)}`);
    return finish({ outcome: 'invalid_input', decision: 'not_evaluated', errorCode: error.code }, errorResult(error));
  }

  // List tools ask once per item: each action is prepared once per call (entitlements and candidate
  // rows resolved), and every item then costs a cache lookup or one Casbin evaluation.
  const preparedChecks = new Map<string, PreparedCheck>();
  const context: ToolContext<Deps> = {
    subject,
    clientId: authInfo.clientId,
    scopes: authInfo.scopes,
    deps: env.deps,
    isAllowed: (otherAction, target) => {
      let check = preparedChecks.get(otherAction);
      if (!check) preparedChecks.set(otherAction, (check = env.policy.prepare(subject, otherAction)));
      return check(target.resource, target.attributes ?? {});
    },
    policy: env.policy,
    visibleTools: () => env.visibleTools(subject),
    ...(authInfo.expiresAt !== undefined ? { tokenExpiresAt: authInfo.expiresAt } : {}),
  };

  let decision: Decision | undefined;
  /** What the target read to build the access target, handed to the handler so it need not read it again. */
  let loaded: unknown;
  try {
    if (!('callerOnly' in tool.authorization)) {
      const target = await tool.authorization.target(parsed.data, context);
      loaded = target.loaded;
      event.resource = resourcePath(target.resource);
      decision = env.policy.decide({ subject, action, resource: target.resource, attributes: target.attributes ?? {} });
      // Only "nothing grants it here" may be widened to "granted below, filter the items": never a
      // deny, and never a policy that could not be evaluated.
      if (
        !decision.allowed &&
        tool.authorization.filtersItems &&
        decision.reason === 'no_match' &&
        holdsBelow(env.policy, subject, action, event.resource)
      ) {
        decision = {
          ...decision,
          allowed: true,
          reason: 'allow',
          explanation: `${action} is granted below ${event.resource}; items are filtered one by one`,
        };
      }
      if (!decision.allowed) {
        env.metrics.denials.inc({ tool: tool.name, reason: decision.reason });
        const error = new ForbiddenError(decision);
        return finish(
          { outcome: 'denied', decision: 'deny', rule: decision.binding?.name ?? decision.reason, errorCode: error.code },
          errorResult(error, { denial: decision }),
        );
      }
    }
    const output = await tool.handler(parsed.data, context, loaded);
    const text = tool.summarize ? tool.summarize(output) : JSON.stringify(output);
    return finish(
      { outcome: 'success', decision: 'allow', rule: decision?.binding?.name ?? (decision ? 'per-item' : 'caller-only') },
      { content: [{ type: 'text', text }], structuredContent: output },
    );
  } catch (thrown) {
    const error = asPlaneError(thrown);
    if (error instanceof ForbiddenError) {
      // A handler that checks a further action (e.g. create as well as update) denies like the pipeline does.
      env.metrics.denials.inc({ tool: tool.name, reason: error.decision.reason });
      return finish(
        { outcome: 'denied', decision: 'deny', rule: error.decision.binding?.name ?? error.decision.reason, errorCode: error.code },
        errorResult(error, { denial: error.decision }),
      );
    }
    if (!error.expose) env.logger.error({ err: thrown, tool: tool.name, auditId: event.id }, 'tool failed');
    return finish(
      {
        outcome: 'tool_error',
        decision: decision ? 'allow' : 'not_evaluated',
        ...(decision?.binding ? { rule: decision.binding.name } : {}),
        errorCode: error.code,
      },
      errorResult(error),
    );
  }
}

/** The part of a call's audit event known before it runs: who, which tool and action, redacted arguments. */
export function auditEventStart<Deps>(
  tool: AnyToolDefinition<Deps>,
  subject: Subject,
  clientId: string,
  rawArguments: unknown,
  plane: string,
): Omit<AuditEvent, 'outcome' | 'decision' | 'durationMs'> {
  return {
    id: randomUUID(),
    time: new Date().toISOString(),
    plane,
    subject: `${subject.type}:${subject.id}`,
    subjectType: subject.type,
    groups: subject.groups,
    clientId,
    tool: tool.name,
    action: 'callerOnly' in tool.authorization ? 'caller-only' : tool.authorization.action,
    arguments: redactArguments(rawArguments ?? {}, tool.input),
  };
}

/** Whether some allow binding grants the action at the path or somewhere below it. */
function holdsBelow(policy: PolicyEngine, subject: Subject, action: string, path: string): boolean {
  const capability = policy.capabilities(subject).find((candidate) => candidate.action === action);
  return (
    capability?.scopes.some((scope) => scope === '*' || scope === path || scope.startsWith(`${path}/`) || path.startsWith(`${scope}/`)) ??
    false
  );
}

/** An `isError` result: the text says what went wrong and what to do; `_meta` carries the same for programs. */
export function errorResult(error: PlaneError, extra: Record<string, unknown> = {}): CallToolResult {
  const text = `${error.code}: ${error.message}${error.hint ? `\nNext: ${error.hint}` : ''}`;
  return {
    isError: true,
    content: [{ type: 'text', text }],
    _meta: { 'plane-mcp/error': { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...extra } },
  };
}
