/**
 * Builds OTLP/HTTP JSON export requests from our own shapes (`LogLine`, `Span`/`SpanDetails`, metric
 * samples), so the demo data plane and the tests emit through the real receiver — and any OTLP
 * endpoint (an OpenTelemetry Collector) accepts the same requests.
 *
 * OTLP JSON: lowerCamelCase keys, trace/span ids as lowercase hex, enums as integers, 64-bit integers as
 * decimal strings. The scope goes into the resource attributes `openchoreo.dev/namespace|project|
 * component|environment`; a span's `service` into `service.name`; a log line's pod and container into
 * `k8s.pod.name` / `k8s.container.name`; workflow run and task into the log record attributes
 * `openchoreo.dev/workflow-run` / `openchoreo.dev/workflow-task`.
 */
import { gzipSync } from 'node:zlib';
import { OTEL_RESOURCE, PLATFORM_LABELS, WORKFLOW_LABELS } from '../../../../../shared/telemetry/conventions.js';
import type { LogLevel, LogLine, Span, SpanDetails, SpanStatus, TelemetryScope } from '../../telemetry-backend.js';

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
}
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpResource {
  attributes: OtlpKeyValue[];
}
const INSTRUMENTATION_SCOPE = { name: 'plane-mcp' };

export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber?: number;
  severityText?: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
}
export interface OtlpLogsRequest {
  resourceLogs: Array<{ resource: OtlpResource; scopeLogs: Array<{ scope: { name: string }; logRecords: OtlpLogRecord[] }> }>;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  status: { code: number; message?: string };
}
export interface OtlpTracesRequest {
  resourceSpans: Array<{ resource: OtlpResource; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}

export interface OtlpNumberDataPoint {
  timeUnixNano: string;
  startTimeUnixNano?: string;
  asDouble: number;
  attributes: OtlpKeyValue[];
}
export interface OtlpHistogramDataPoint {
  timeUnixNano: string;
  startTimeUnixNano?: string;
  count: string;
  sum?: number;
  bucketCounts: string[];
  explicitBounds: number[];
  attributes: OtlpKeyValue[];
}
export interface OtlpMetric {
  name: string;
  gauge?: { dataPoints: OtlpNumberDataPoint[] };
  sum?: { dataPoints: OtlpNumberDataPoint[]; aggregationTemporality: number; isMonotonic: boolean };
  histogram?: { dataPoints: OtlpHistogramDataPoint[]; aggregationTemporality: number };
}
export interface OtlpMetricsRequest {
  resourceMetrics: Array<{ resource: OtlpResource; scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }> }>;
}

export type OtlpTime = Date | string | number;

interface SampleBase {
  name: string;
  scope: TelemetryScope;
  /** Epoch ms, RFC 3339 text or a Date. */
  time: OtlpTime;
  /** Data point attributes, e.g. `{ resource: 'cpu' }`, `{ status: '200' }`, `{ container: 'main' }`. */
  attributes?: Record<string, string | number | boolean>;
  /** Resource attributes beyond the scope (e.g. `k8s.pod.name`, `service.name`). */
  resource?: Record<string, string>;
}
/** One metric sample to emit. Counters are cumulative (`value` = running total since `startTime`). */
export type OtlpMetricSample =
  | (SampleBase & { kind: 'gauge'; value: number })
  | (SampleBase & { kind: 'counter'; value: number; startTime?: OtlpTime })
  | (SampleBase & {
      kind: 'histogram';
      /** Upper bounds (seconds for `hubble_http_request_duration_seconds`), ascending, without +Inf. */
      bounds: number[];
      /** Per-bucket counts (bounds.length + 1, the last for +Inf), cumulative over time. */
      bucketCounts: number[];
      sum?: number;
      startTime?: OtlpTime;
    });

const SEVERITY_NUMBER: Record<LogLevel, number> = { DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17 };
const SPAN_KIND: Record<string, number> = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
const STATUS_CODE: Record<SpanStatus, number> = { unset: 0, ok: 1, error: 2 };
const AGGREGATION_CUMULATIVE = 2;

/** A time as OTLP `…UnixNano` (decimal string). Sub-millisecond digits of RFC 3339 text are kept to µs. */
export function unixNano(time: OtlpTime): string {
  if (typeof time === 'number') return (BigInt(Math.round(time * 1000)) * 1000n).toString();
  if (time instanceof Date) return (BigInt(time.getTime()) * 1_000_000n).toString();
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not a timestamp: ${time}`);
  const fraction = /\.(\d+)/.exec(time)?.[1] ?? '';
  const micros = fraction.length > 3 ? Number(fraction.slice(3, 6).padEnd(3, '0')) : 0;
  return (BigInt(ms) * 1_000_000n + BigInt(micros) * 1000n).toString();
}

/** A plain value as an OTLP AnyValue. */
export function anyValue(value: unknown): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (typeof value === 'bigint') return { intValue: value.toString() };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (value !== null && typeof value === 'object') return { kvlistValue: { values: keyValues(value as Record<string, unknown>) } };
  return {};
}

export function keyValues(record: Record<string, unknown> | undefined): OtlpKeyValue[] {
  return Object.entries(record ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** The resource attributes carrying a scope. */
export function scopeAttributes(scope: TelemetryScope): Record<string, string> {
  const out: Record<string, string> = { [PLATFORM_LABELS.namespace]: scope.namespace };
  if (scope.project) out[PLATFORM_LABELS.project] = scope.project;
  if (scope.component) out[PLATFORM_LABELS.component] = scope.component;
  if (scope.environment) out[PLATFORM_LABELS.environment] = scope.environment;
  return out;
}

/** Groups items by resource (attributes in a stable order), keeping first-seen order. */
function groupByResource<T>(
  items: readonly T[],
  resourceOf: (item: T) => Record<string, unknown>,
): Array<{ resource: OtlpResource; items: T[] }> {
  const groups = new Map<string, { resource: OtlpResource; items: T[] }>();
  for (const item of items) {
    const attrs = resourceOf(item);
    const sorted = Object.fromEntries(
      Object.entries(attrs)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const key = JSON.stringify(sorted);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { resource: { attributes: keyValues(sorted) }, items: [] }));
    group.items.push(item);
  }
  return [...groups.values()];
}

function lineScope(line: LogLine): TelemetryScope {
  const scope: TelemetryScope = { namespace: line.namespace };
  if (line.project) scope.project = line.project;
  if (line.component) scope.component = line.component;
  if (line.environment) scope.environment = line.environment;
  return scope;
}

/** An ExportLogsServiceRequest for these lines (`resource` adds attributes to every line's resource). */
export function logsRequest(lines: readonly LogLine[], options: { resource?: Record<string, string> } = {}): OtlpLogsRequest {
  const groups = groupByResource(lines, (line) => ({
    ...options.resource,
    ...scopeAttributes(lineScope(line)),
    ...(line.pod ? { [OTEL_RESOURCE.k8sPodName]: line.pod } : {}),
    ...(line.container ? { [OTEL_RESOURCE.k8sContainerName]: line.container } : {}),
  }));
  return {
    resourceLogs: groups.map(({ resource, items }) => ({
      resource,
      scopeLogs: [
        {
          scope: INSTRUMENTATION_SCOPE,
          logRecords: items.map((line): OtlpLogRecord => {
            const time = unixNano(line.timestamp);
            const record: OtlpLogRecord = {
              timeUnixNano: time,
              observedTimeUnixNano: time,
              body: { stringValue: line.message },
              attributes: keyValues({ [WORKFLOW_LABELS.run]: line.runName, [WORKFLOW_LABELS.task]: line.task }),
            };
            if (line.level) {
              record.severityNumber = SEVERITY_NUMBER[line.level];
              record.severityText = line.level;
            }
            return record;
          }),
        },
      ],
    })),
  };
}

/** An ExportTraceServiceRequest for these spans (each span's scope, service and `resource` form its resource). */
export function tracesRequest(spans: ReadonlyArray<Span | SpanDetails>): OtlpTracesRequest {
  const groups = groupByResource(spans, (span) => ({
    ...('resource' in span ? span.resource : {}),
    ...scopeAttributes(span.scope),
    ...(span.service ? { [OTEL_RESOURCE.serviceName]: span.service } : {}),
  }));
  return {
    resourceSpans: groups.map(({ resource, items }) => ({
      resource,
      scopeSpans: [
        {
          scope: INSTRUMENTATION_SCOPE,
          spans: items.map((span): OtlpSpan => {
            const out: OtlpSpan = {
              traceId: span.traceId.toLowerCase(),
              spanId: span.spanId.toLowerCase(),
              name: span.name,
              kind: SPAN_KIND[span.kind?.toUpperCase() ?? ''] ?? 0,
              startTimeUnixNano: unixNano(span.startTime),
              endTimeUnixNano: unixNano(span.endTime),
              attributes: keyValues('attributes' in span ? span.attributes : {}),
              status: { code: STATUS_CODE[span.status] },
            };
            if (span.parentSpanId) out.parentSpanId = span.parentSpanId.toLowerCase();
            if (span.statusMessage) out.status.message = span.statusMessage;
            return out;
          }),
        },
      ],
    })),
  };
}

/** An ExportMetricsServiceRequest for these samples (grouped by resource, then by metric name and kind). */
export function metricsRequest(samples: readonly OtlpMetricSample[]): OtlpMetricsRequest {
  const groups = groupByResource(samples, (sample) => ({ ...sample.resource, ...scopeAttributes(sample.scope) }));
  return {
    resourceMetrics: groups.map(({ resource, items }) => {
      const metrics = new Map<string, OtlpMetric>();
      for (const sample of items) {
        const key = `${sample.kind}\u0000${sample.name}`;
        let metric = metrics.get(key);
        if (!metric) {
          metric = { name: sample.name };
          if (sample.kind === 'gauge') metric.gauge = { dataPoints: [] };
          else if (sample.kind === 'counter')
            metric.sum = { dataPoints: [], aggregationTemporality: AGGREGATION_CUMULATIVE, isMonotonic: true };
          else metric.histogram = { dataPoints: [], aggregationTemporality: AGGREGATION_CUMULATIVE };
          metrics.set(key, metric);
        }
        const attributes = keyValues(sample.attributes);
        const timeUnixNano = unixNano(sample.time);
        if (sample.kind === 'histogram') {
          if (sample.bucketCounts.length !== sample.bounds.length + 1)
            throw new RangeError(`${sample.name}: bucketCounts needs bounds.length + 1 entries`);
          const point: OtlpHistogramDataPoint = {
            timeUnixNano,
            count: String(sample.bucketCounts.reduce((a, b) => a + b, 0)),
            bucketCounts: sample.bucketCounts.map(String),
            explicitBounds: [...sample.bounds],
            attributes,
          };
          if (sample.sum !== undefined) point.sum = sample.sum;
          if (sample.startTime !== undefined) point.startTimeUnixNano = unixNano(sample.startTime);
          metric.histogram?.dataPoints.push(point);
        } else {
          const point: OtlpNumberDataPoint = { timeUnixNano, asDouble: sample.value, attributes };
          if (sample.kind === 'counter' && sample.startTime !== undefined) point.startTimeUnixNano = unixNano(sample.startTime);
          (metric.gauge ?? metric.sum)?.dataPoints.push(point);
        }
      }
      return { resource, scopeMetrics: [{ scope: INSTRUMENTATION_SCOPE, metrics: [...metrics.values()] }] };
    }),
  };
}

export interface OtlpPostResult {
  status: number;
  body: unknown;
}

/**
 * POSTs an OTLP JSON request to `<baseUrl>/v1/<signal>` with a bearer token (optionally gzipped).
 * Resolves with the status and the parsed JSON body (or the text when it is not JSON).
 */
export async function postOtlpJson(
  baseUrl: string,
  signal: 'logs' | 'traces' | 'metrics',
  request: OtlpLogsRequest | OtlpTracesRequest | OtlpMetricsRequest,
  options: { token: string; gzip?: boolean; signal?: AbortSignal },
): Promise<OtlpPostResult> {
  const json = Buffer.from(JSON.stringify(request));
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${options.token}` };
  if (options.gzip) headers['content-encoding'] = 'gzip';
  const init: RequestInit = { method: 'POST', headers, body: options.gzip ? gzipSync(json) : json };
  if (options.signal) init.signal = options.signal;
  const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/v1/${signal}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}
