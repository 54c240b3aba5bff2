/**
 * What the observability tools ask of a backend. Three implementations sit behind these interfaces,
 * chosen at start-up: OpenSearch (logs, traces), Prometheus (metrics) and the embedded SQLite store
 * (all three, fed by OTLP/HTTP). Every query arrives already authorized and already scoped: the
 * server builds it from validated arguments, never from text a caller wrote, and backends must escape
 * every value they put into a query language (OpenSearch query DSL / query-string, PromQL, SQL).
 */

/** Where data comes from. Names, not UIDs: the platform's names are unique within their parent. */
export interface TelemetryScope {
  namespace: string;
  project?: string;
  component?: string;
  environment?: string;
}

export interface TimeWindow {
  start: Date;
  end: Date;
}

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type SortOrder = 'asc' | 'desc';

export interface ComponentLogQuery {
  scope: TelemetryScope;
  window: TimeWindow;
  /** Only lines at these levels; empty or absent = all. */
  levels?: LogLevel[];
  /** Case-insensitive substring the message must contain (a literal, never a query expression). */
  search?: string;
  limit: number;
  sort: SortOrder;
}

export interface WorkflowLogQuery {
  namespace: string;
  runName?: string;
  task?: string;
  window: TimeWindow;
  levels?: LogLevel[];
  search?: string;
  limit: number;
  sort: SortOrder;
}

export interface LogLine {
  timestamp: string;
  level?: LogLevel;
  /** Raw text as emitted: untrusted; the tools sanitize it before returning it. */
  message: string;
  namespace: string;
  project?: string;
  component?: string;
  environment?: string;
  /** Workflow logs: the run and task that wrote the line. */
  runName?: string;
  task?: string;
  pod?: string;
  container?: string;
}

export interface LogPage {
  lines: LogLine[];
  /** How many lines matched in all (may be a lower bound when the backend caps counting). */
  total: number;
  /** `total` is exact (false when the backend stopped counting). */
  totalExact: boolean;
}

export interface LogBackend {
  queryComponentLogs(query: ComponentLogQuery): Promise<LogPage>;
  queryWorkflowLogs(query: WorkflowLogQuery): Promise<LogPage>;
  /** Matching lines in a window, for log-pattern alert rules. */
  countComponentLogs(query: Omit<ComponentLogQuery, 'limit' | 'sort'>): Promise<number>;
}

export type SpanStatus = 'ok' | 'error' | 'unset';

export interface TraceQuery {
  scope: TelemetryScope;
  window: TimeWindow;
  /** Only traces with at least one error span. */
  errorsOnly?: boolean;
  /** Only traces at least this long (ms). */
  minDurationMs?: number;
  limit: number;
  sort: SortOrder;
}

export interface TraceSummary {
  traceId: string;
  /** The root span's name (the entry operation). */
  name: string;
  rootService?: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  spanCount: number;
  errorSpanCount: number;
  /** Components (service names) the trace touched. */
  services: string[];
}

export interface TracePage {
  traces: TraceSummary[];
  total: number;
  totalExact: boolean;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: string;
  service?: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  status: SpanStatus;
  statusMessage?: string;
  /** The span's own scope (resource attributes): it decides who may see the span. */
  scope: TelemetryScope;
}

export interface SpanDetails extends Span {
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

export interface TraceBackend {
  queryTraces(query: TraceQuery): Promise<TracePage>;
  /** The spans of one trace, in start order, restricted to the scope (a caller sees only spans it may see). */
  traceSpans(query: {
    traceId: string;
    scope: TelemetryScope;
    window?: TimeWindow;
    limit: number;
  }): Promise<{ spans: Span[]; total: number }>;
  /** One span, unscoped: the caller authorizes against the span's own `scope` before returning it. */
  getSpan(traceId: string, spanId: string): Promise<SpanDetails | undefined>;
}

export interface MetricPoint {
  timestamp: string;
  value: number;
}

export interface MetricsQuery {
  scope: TelemetryScope;
  window: TimeWindow;
  stepSeconds: number;
}

/** CPU in cores, memory in bytes. A series the backend has no data for is an empty array. */
export interface ResourceMetrics {
  cpuUsage: MetricPoint[];
  cpuRequests: MetricPoint[];
  cpuLimits: MetricPoint[];
  memoryUsage: MetricPoint[];
  memoryRequests: MetricPoint[];
  memoryLimits: MetricPoint[];
}

/** Requests per second, error ratio 0–1 (5xx and 4xx over all), latency percentiles in milliseconds. */
export interface HttpMetrics {
  requestRate: MetricPoint[];
  errorRate: MetricPoint[];
  latencyP50Ms: MetricPoint[];
  latencyP90Ms: MetricPoint[];
  latencyP99Ms: MetricPoint[];
}

export interface MetricsBackend {
  resourceMetrics(query: MetricsQuery): Promise<ResourceMetrics>;
  httpMetrics(query: MetricsQuery): Promise<HttpMetrics>;
}

/** All three signals; an implementation may combine adapters (OpenSearch logs and traces + Prometheus metrics). */
export interface TelemetryBackend {
  readonly name: string;
  logs: LogBackend;
  traces: TraceBackend;
  metrics: MetricsBackend;
  /** Is every adapter reachable? (readiness) */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
