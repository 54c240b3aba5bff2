import type { LogLine, Span, SpanDetails, SpanStatus, TelemetryScope } from '../telemetry-backend.js';
import { asOptionalString, getPath, setNestedPath, type FieldNames } from './fields.js';
import { levelOf } from './levels.js';

/**
 * Documents ↔ our records. The writers produce exactly what the readers parse, so the demo data plane
 * and the tests write what a real Fluent Bit / OpenTelemetry-collector pipeline would.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function timestampString(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  return undefined;
}

/** A Fluent Bit-shaped log document (nested `kubernetes.labels.*`). */
export function logLineDocument(line: LogLine, fields: FieldNames): Json {
  const document: Json = {};
  const set = (path: string, value: string | undefined) => {
    if (value !== undefined) setNestedPath(document, path, value);
  };
  set(fields.logTimestamp, line.timestamp);
  set(fields.logMessage, line.message);
  set(fields.logLevel, line.level);
  set(fields.logNamespace, line.namespace);
  set(fields.logProject, line.project);
  set(fields.logComponent, line.component);
  set(fields.logEnvironment, line.environment);
  set(fields.logWorkflowRun, line.runName);
  set(fields.logWorkflowTask, line.task);
  set(fields.logPod, line.pod);
  set(fields.logContainer, line.container);
  return document;
}

export function logLineFromSource(source: unknown, fields: FieldNames): LogLine {
  const get = (path: string) => asOptionalString(getPath(source, path));
  const messageValue = getPath(source, fields.logMessage);
  const message = typeof messageValue === 'string' ? messageValue : (asOptionalString(messageValue) ?? '');
  const line: LogLine = {
    timestamp: timestampString(getPath(source, fields.logTimestamp)) ?? '',
    level: levelOf(getPath(source, fields.logLevel), message),
    message,
    namespace: get(fields.logNamespace) ?? '',
  };
  const optional: [keyof LogLine, string][] = [
    ['project', fields.logProject],
    ['component', fields.logComponent],
    ['environment', fields.logEnvironment],
    ['runName', fields.logWorkflowRun],
    ['task', fields.logWorkflowTask],
    ['pod', fields.logPod],
    ['container', fields.logContainer],
  ];
  for (const [key, path] of optional) {
    const value = get(path);
    if (value !== undefined) (line as unknown as Json)[key] = value;
  }
  return line;
}

/** An OpenTelemetry-collector-shaped span document (`resource` with dotted keys, `status.code`). */
export function spanDocument(span: Span | SpanDetails, fields: FieldNames): Json {
  const document: Json = {};
  setNestedPath(document, fields.traceId, span.traceId);
  setNestedPath(document, fields.spanId, span.spanId);
  setNestedPath(document, fields.parentSpanId, span.parentSpanId ?? '');
  setNestedPath(document, fields.spanName, span.name);
  if (span.kind !== undefined) setNestedPath(document, fields.spanKind, span.kind);
  setNestedPath(document, fields.spanStartTime, span.startTime);
  setNestedPath(document, fields.spanEndTime, span.endTime);
  setNestedPath(document, fields.spanStatusCode, span.status);
  if (span.statusMessage !== undefined) setNestedPath(document, fields.spanStatusMessage, span.statusMessage);
  const details = span as Partial<SpanDetails>;
  document[fields.spanAttributes] = isObject(details.attributes) ? details.attributes : {};
  const resource: Json = isObject(details.resource) ? { ...details.resource } : {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined) resource[key] = value;
    else delete resource[key];
  };
  if (span.service !== undefined) resource[fields.serviceNameAttribute] = span.service;
  // The span's scope is authoritative: it decides who may see the span.
  put(fields.namespaceAttribute, span.scope.namespace);
  put(fields.projectAttribute, span.scope.project);
  put(fields.componentAttribute, span.scope.component);
  put(fields.environmentAttribute, span.scope.environment);
  document[fields.spanResource] = resource;
  return document;
}

/** ISO-8601 with up to nanosecond fractions → epoch nanoseconds (Date.parse keeps only milliseconds). */
export function isoToEpochNanos(value: string): bigint | undefined {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return undefined;
  const fraction = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(value)?.[1] ?? '';
  const extraNanos = fraction.length > 3 ? BigInt(fraction.slice(3, 9).padEnd(6, '0')) : 0n;
  return BigInt(millis) * 1_000_000n + extraNanos;
}

export function durationMs(start: string, end: string): number {
  const startNanos = isoToEpochNanos(start);
  const endNanos = isoToEpochNanos(end);
  if (startNanos === undefined || endNanos === undefined || endNanos < startNanos) return 0;
  return Number(endNanos - startNanos) / 1_000_000;
}

export function normalizeStatus(value: unknown): SpanStatus {
  const text = String(value ?? '').toLowerCase();
  if (text === 'error' || text === 'status_code_error' || text === '2') return 'error';
  if (text === 'ok' || text === 'status_code_ok' || text === '1') return 'ok';
  return 'unset';
}

/** The status-code spellings that count as an error (OTel JSON, collector exporters). */
export const ERROR_STATUS_VALUES = ['error', 'status_code_error', '2'];

export function spanFromSource(source: unknown, fields: FieldNames): Span {
  const get = (path: string) => asOptionalString(getPath(source, path));
  const resource = getPath(source, fields.spanResource);
  const fromResource = (key: string) => asOptionalString(isObject(resource) ? getPath(resource, key) : undefined);
  const startTime = timestampString(getPath(source, fields.spanStartTime)) ?? '';
  const endTime = timestampString(getPath(source, fields.spanEndTime)) ?? startTime;
  const scope: TelemetryScope = { namespace: fromResource(fields.namespaceAttribute) ?? '' };
  const project = fromResource(fields.projectAttribute);
  const component = fromResource(fields.componentAttribute);
  const environment = fromResource(fields.environmentAttribute);
  if (project !== undefined) scope.project = project;
  if (component !== undefined) scope.component = component;
  if (environment !== undefined) scope.environment = environment;
  const span: Span = {
    traceId: get(fields.traceId) ?? '',
    spanId: get(fields.spanId) ?? '',
    name: get(fields.spanName) ?? '',
    startTime,
    endTime,
    durationMs: durationMs(startTime, endTime),
    status: normalizeStatus(getPath(source, fields.spanStatusCode)),
    scope,
  };
  const parentSpanId = get(fields.parentSpanId);
  if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
  const kind = get(fields.spanKind);
  if (kind !== undefined) span.kind = kind;
  const service = fromResource(fields.serviceNameAttribute);
  if (service !== undefined) span.service = service;
  const statusMessage = get(fields.spanStatusMessage);
  if (statusMessage !== undefined) span.statusMessage = statusMessage;
  return span;
}

export function spanDetailsFromSource(source: unknown, fields: FieldNames): SpanDetails {
  const attributes = getPath(source, fields.spanAttributes);
  const resource = getPath(source, fields.spanResource);
  return {
    ...spanFromSource(source, fields),
    attributes: isObject(attributes) ? attributes : {},
    resource: isObject(resource) ? resource : {},
  };
}
