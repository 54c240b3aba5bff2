import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { NotFoundError } from '../../../shared/errors/plane-errors.js';
import type { Span } from '../backends/telemetry-backend.js';
import { authorizeScope, telemetryTarget } from './support/access.js';
import { observabilityTool } from './support/define.js';
import {
  describeWindow,
  resolveQuery,
  resolveWindow,
  resultLimit,
  scopeArguments,
  scopeOf,
  scopeOutput,
  sortOrder,
  windowArguments,
  windowOutput,
} from './support/query-arguments.js';
import { emptyResultHints, windowHints } from './support/result-hints.js';
import { sanitizeUntrustedText } from './support/untrusted-text.js';

const traceId = z.string().regex(/^[0-9a-f]{32}$/, { error: 'must be a 32-character lowercase hex trace id (from query_traces)' });
const spanId = z.string().regex(/^[0-9a-f]{16}$/, { error: 'must be a 16-character lowercase hex span id (from query_trace_spans)' });

const traceView = z.object({
  traceId: z.string(),
  name: z.string(),
  rootService: z.string().optional(),
  startTime: z.string(),
  durationMs: z.number(),
  spanCount: z.number(),
  errorSpanCount: z.number(),
  services: z.array(z.string()),
});

const spanView = z.object({
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  service: z.string().optional(),
  kind: z.string().optional(),
  startTime: z.string(),
  durationMs: z.number(),
  status: z.enum(['ok', 'error', 'unset']),
  statusMessage: z.string().optional(),
});

function viewSpan(span: Span) {
  return {
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: sanitizeUntrustedText(span.name, 200),
    ...(span.service ? { service: span.service } : {}),
    ...(span.kind ? { kind: span.kind } : {}),
    startTime: span.startTime,
    durationMs: span.durationMs,
    status: span.status,
    ...(span.statusMessage ? { statusMessage: sanitizeUntrustedText(span.statusMessage, 500) } : {}),
  };
}

export const queryTraces = observabilityTool({
  name: 'query_traces',
  title: 'Query traces',
  description:
    'Distributed traces in a window (default last 15 minutes): entry operation, duration, span and error counts, services touched. Filter to failed or slow ones.',
  toolset: 'traces',
  kind: 'read',
  openWorld: true,
  scope: SCOPES.observabilityRead,
  input: z.object({
    ...scopeArguments,
    ...windowArguments,
    errors_only: z.boolean().default(false).describe('Only traces with an error span'),
    min_duration_ms: z.number().min(0).max(3_600_000).optional().describe('Only traces at least this long'),
    limit: resultLimit.default(20),
    sort_order: sortOrder,
  }),
  output: z.object({
    scope: scopeOutput,
    window: windowOutput,
    traces: z.array(traceView),
    returned: z.number(),
    total: z.number(),
    totalExact: z.boolean(),
    truncated: z.boolean(),
    hints: z.array(z.string()),
  }),
  authorization: authorizeScope('traces:view'),
  handler: async (input, { deps }) => {
    const { scope, window, limit } = resolveQuery(input, deps.limits);
    const page = await deps.telemetry.traces.queryTraces({
      scope,
      window,
      ...(input.errors_only ? { errorsOnly: true } : {}),
      ...(input.min_duration_ms !== undefined ? { minDurationMs: input.min_duration_ms } : {}),
      limit,
      sort: input.sort_order,
    });
    const traces = page.traces
      .slice(0, limit)
      .map(({ endTime: _end, ...trace }) => ({ ...trace, name: sanitizeUntrustedText(trace.name, 200) }));
    return {
      scope,
      window: describeWindow(window),
      traces,
      returned: traces.length,
      total: page.total,
      totalExact: page.totalExact,
      truncated: page.total > traces.length,
      hints: [
        ...windowHints(window),
        ...(traces.length === 0 ? emptyResultHints('traces', scope, window, input.errors_only || input.min_duration_ms !== undefined) : []),
      ],
    };
  },
  summarize: (result) =>
    [
      `${result.returned} of ${result.total} traces`,
      ...result.traces.map(
        (trace) =>
          `${trace.traceId} ${trace.name} ${trace.durationMs.toFixed(1)}ms spans=${trace.spanCount} errors=${trace.errorSpanCount} [${trace.services.join(' → ')}]`,
      ),
      ...result.hints,
    ].join('\n'),
});

export const queryTraceSpans = observabilityTool({
  name: 'query_trace_spans',
  title: 'Query trace spans',
  description:
    'The spans of one trace (trace_id from query_traces) with parents, durations and status, to find the failing or slow hop. Only spans in your scope are returned.',
  toolset: 'traces',
  kind: 'read',
  openWorld: true,
  scope: SCOPES.observabilityRead,
  input: z.object({ trace_id: traceId, ...scopeArguments, ...windowArguments, limit: resultLimit.default(200) }),
  output: z.object({
    traceId: z.string(),
    scope: scopeOutput,
    spans: z.array(spanView),
    returned: z.number(),
    total: z.number(),
    truncated: z.boolean(),
    hints: z.array(z.string()),
  }),
  authorization: authorizeScope('traces:view'),
  handler: async (input, { deps }) => {
    const scope = scopeOf(input);
    const window = input.start_time || input.end_time ? resolveWindow(input, deps.limits) : undefined;
    const limit = Math.min(input.limit, deps.limits.maxResults);
    const { spans, total } = await deps.telemetry.traces.traceSpans({
      traceId: input.trace_id,
      scope,
      ...(window ? { window } : {}),
      limit,
    });
    return {
      traceId: input.trace_id,
      scope,
      spans: spans.slice(0, limit).map(viewSpan),
      returned: Math.min(spans.length, limit),
      total,
      truncated: total > Math.min(spans.length, limit),
      hints:
        spans.length === 0
          ? ['No spans of this trace in your scope: widen the scope (drop component/environment) or check the trace id.']
          : [],
    };
  },
  summarize: (result) =>
    [
      `trace ${result.traceId}: ${result.returned} of ${result.total} spans`,
      ...result.spans.map(
        (span) =>
          `${span.spanId}${span.parentSpanId ? ` ← ${span.parentSpanId}` : ' (root)'} ${span.service ?? ''} ${span.name} ${span.durationMs.toFixed(1)}ms ${span.status}${span.statusMessage ? `: ${span.statusMessage}` : ''}`,
      ),
    ].join('\n'),
});

export const getSpanDetails = observabilityTool({
  name: 'get_span_details',
  title: 'Get span details',
  description: "One span with its attributes and resource attributes. Authorized against the span's own namespace, project and component.",
  toolset: 'traces',
  kind: 'read',
  openWorld: true,
  scope: SCOPES.observabilityRead,
  input: z.object({ trace_id: traceId, span_id: spanId }),
  output: spanView.extend({
    traceId: z.string(),
    scope: scopeOutput,
    attributes: z.record(z.string(), z.unknown()),
    resource: z.record(z.string(), z.unknown()),
    untrustedContent: z.literal(true),
  }),
  authorization: {
    action: 'traces:view',
    target: async (input, { deps }) => {
      const span = await deps.telemetry.traces.getSpan(input.trace_id, input.span_id);
      if (!span)
        throw new NotFoundError(`span ${input.span_id} of trace ${input.trace_id}`, 'Take ids from query_traces and query_trace_spans.');
      return telemetryTarget(span.scope, deps.productionEnvironments);
    },
  },
  handler: async (input, { deps }) => {
    const span = await deps.telemetry.traces.getSpan(input.trace_id, input.span_id);
    if (!span) throw new NotFoundError(`span ${input.span_id} of trace ${input.trace_id}`);
    return {
      ...viewSpan(span),
      traceId: span.traceId,
      scope: span.scope,
      attributes: sanitizeValues(span.attributes),
      resource: sanitizeValues(span.resource),
      untrustedContent: true as const,
    };
  },
});

/** String attribute values are workload-controlled text. */
function sanitizeValues(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record)
      .slice(0, 200)
      .map(([key, value]) => [sanitizeUntrustedText(key, 200), typeof value === 'string' ? sanitizeUntrustedText(value, 1000) : value]),
  );
}

export default [queryTraces, queryTraceSpans, getSpanDetails];
