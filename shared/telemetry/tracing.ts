/**
 * Optional OpenTelemetry traces of the MCP servers themselves (not of the platform they manage):
 * one SERVER span per HTTP request and one INTERNAL span per tool call, exported over OTLP/HTTP
 * (JSON) with the official OpenTelemetry JS SDK.
 *
 * Off unless `PLANE_OTEL_TRACES_ENDPOINT` is set. When off, nothing of the SDK is even loaded (the
 * modules below are imported dynamically by `startTracing`), the server listens on the bare Express
 * app and a tool call costs one `undefined` check.
 *
 * Spans never carry tool arguments, results, tokens or headers: a tool-call span holds the tool, the
 * outcome, the authorization decision and rule, the error code, the audit event id (to join it with the
 * audit trail) and its duration; a request span holds method, route and status.
 *
 * Resource attributes: `service.name` = `plane-mcp-<plane>`, plus `openchoreo.dev/namespace=plane-mcp`,
 * `openchoreo.dev/project=plane-mcp` and `openchoreo.dev/component=<plane>`, because the embedded
 * observability plane's OTLP receiver files spans by those attributes and rejects spans without a
 * namespace. `PLANE_OTEL_RESOURCE_ATTRIBUTES` (same `key=value,…` format) adds to or overrides them.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { OTEL_RESOURCE, PLATFORM_LABELS } from './conventions.js';
import type { Logger } from './logger.js';

export interface TracingConfig {
  /** OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`. */
  endpoint: string;
  /** Sent with every export (e.g. `Authorization: Bearer …`); a secret, never logged. */
  headers: Record<string, string>;
  /** Added to (or overriding) the default resource attributes. */
  resourceAttributes: Record<string, string>;
}

/** One finished tool call, as `runToolCall` audits it. */
export interface ToolCallTrace {
  plane: string;
  tool: string;
  outcome: string;
  decision: string;
  rule?: string;
  errorCode?: string;
  subjectType: string;
  auditId: string;
  /** `performance.now()` when the call started, and how long it took. */
  startedAt: number;
  durationMs: number;
}

export interface PlaneTracing {
  /** Wraps the server's request listener: one span per request, active while the request is handled. */
  traceRequests(listener: RequestListener): RequestListener;
  /** Records a finished tool call as a child of the active request span. */
  recordToolCall(call: ToolCallTrace): void;
  /** Exports what is buffered. */
  forceFlush(): Promise<void>;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * `key=value,key2=value2` as in `OTEL_EXPORTER_OTLP_HEADERS` / `OTEL_RESOURCE_ATTRIBUTES` (W3C baggage
 * style, values percent-decoded). Errors name the entry by position, never its value.
 */
export function parseKeyValueList(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const entries = text.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    if (entry === '') return;
    const equals = entry.indexOf('=');
    const key = equals > 0 ? entry.slice(0, equals).trim() : '';
    if (key === '') throw new Error(`entry ${index + 1} is not key=value`);
    try {
      result[decodeURIComponent(key)] = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      throw new Error(`entry ${index + 1} ("${key}") is not valid percent-encoding`);
    }
  });
  return result;
}

/** Paths the servers serve; any other path is reported as route `unknown` (span names stay low-cardinality). */
const KNOWN_ROUTES = [
  '/healthz',
  '/readyz',
  '/metrics',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-authorization-server',
];

/** Start exporting spans for one server. Loads the OpenTelemetry SDK on first use. */
export async function startTracing(
  config: TracingConfig,
  identity: { plane: string; version: string; mcpPath: string },
  logger: Logger,
): Promise<PlaneTracing> {
  const [
    api,
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { resourceFromAttributes },
    { BatchSpanProcessor, TracerProvider },
    { OTLPTraceExporter },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const { context, trace, SpanKind, SpanStatusCode, ROOT_CONTEXT, defaultTextMapGetter } = api;

  // Parent/child links need a context manager; it is process-wide, and a second plane in the same
  // process finds it already set (setGlobalContextManager then returns false, which is fine).
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

  const exporter = new OTLPTraceExporter({ url: config.endpoint, headers: { ...config.headers }, timeoutMillis: 10_000 });
  let lastFailureLog = 0;
  // Export failures (receiver down, 401 …) would otherwise vanish into the SDK's silent diagnostics.
  const reportingExporter: SpanExporter = {
    export: (spans, done) =>
      exporter.export(spans, (result) => {
        if (result.code !== 0 && Date.now() - lastFailureLog > 60_000) {
          lastFailureLog = Date.now();
          logger.warn(
            { err: result.error, spans: spans.length, endpoint: safeUrl(config.endpoint) },
            'trace export failed (spans dropped)',
          );
        }
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [OTEL_RESOURCE.serviceName]: `plane-mcp-${identity.plane}`,
      [OTEL_RESOURCE.serviceNamespace]: 'plane-mcp',
      [OTEL_RESOURCE.serviceVersion]: identity.version,
      [PLATFORM_LABELS.namespace]: 'plane-mcp',
      [PLATFORM_LABELS.project]: 'plane-mcp',
      [PLATFORM_LABELS.component]: identity.plane,
      ...config.resourceAttributes,
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter: reportingExporter, scheduledDelayMillis: 2_000 })],
  });
  // Deliberately not registered as the global provider: two planes in one process keep their own resource.
  const tracer = provider.getTracer('plane-mcp', identity.version);
  const propagator = new W3CTraceContextPropagator();
  const routeOf = (url: string | undefined): string => {
    const path = (url ?? '/').split('?')[0] ?? '/';
    if (path === identity.mcpPath) return path;
    return KNOWN_ROUTES.find((route) => path === route || path.startsWith(`${route}/`)) ?? 'unknown';
  };
  logger.info({ endpoint: safeUrl(config.endpoint), headers: Object.keys(config.headers) }, 'OpenTelemetry tracing on');

  return {
    traceRequests(listener) {
      return (req: IncomingMessage, res: ServerResponse) => {
        const method = req.method ?? 'GET';
        const route = routeOf(req.url);
        const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
        const span = tracer.startSpan(
          route === 'unknown' ? method : `${method} ${route}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route, 'plane-mcp.plane': identity.plane } },
          parent,
        );
        res.once('close', () => {
          span.setAttribute('http.response.status_code', res.statusCode);
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          if (!res.writableFinished) span.setAttribute('plane-mcp.aborted', true);
          span.end();
        });
        context.with(trace.setSpan(parent, span), () => listener(req, res));
      };
    },
    recordToolCall(call) {
      const start = performance.timeOrigin + call.startedAt;
      const span = tracer.startSpan(
        `tools/call ${call.tool}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: start,
          attributes: {
            'mcp.method.name': 'tools/call',
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': call.tool,
            'plane-mcp.plane': call.plane,
            'plane-mcp.outcome': call.outcome,
            'plane-mcp.decision': call.decision,
            'plane-mcp.subject_type': call.subjectType,
            'plane-mcp.audit_id': call.auditId,
            'plane-mcp.duration_ms': call.durationMs,
            ...(call.rule !== undefined ? { 'plane-mcp.rule': call.rule } : {}),
            ...(call.errorCode !== undefined ? { 'plane-mcp.error_code': call.errorCode, 'error.type': call.errorCode } : {}),
          },
        },
        context.active(),
      );
      if (call.outcome === 'tool_error') span.setStatus({ code: SpanStatusCode.ERROR, message: call.errorCode ?? 'tool_error' });
      span.end(start + call.durationMs);
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** The endpoint without credentials or query, for logs. */
function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
