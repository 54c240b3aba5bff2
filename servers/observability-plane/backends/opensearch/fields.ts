/**
 * Field names of the documents the OpenSearch adapter reads and writes. The defaults are OpenChoreo's
 * conventions (Fluent Bit `container-logs-*` with `Replace_Dots On`, OpenTelemetry-collector
 * `otel-traces-*` span documents), except where noted: scope labels are NAMES (OpenChoreo also has
 * `-uid` labels; the platform here has none), and workflow logs carry our own keyword labels
 * `openchoreo_dev/workflow-run` / `openchoreo_dev/workflow-task` instead of Argo pod-name prefixes and
 * node-name annotations. Everything is configurable.
 */
import { fluentBitLabelKey, OTEL_RESOURCE, PLATFORM_LABELS, WORKFLOW_LABELS } from '../../../../shared/telemetry/conventions.js';

export interface FieldNames {
  /** Log time (`date_nanos` in our template). */
  logTimestamp: string;
  /** Log message (`wildcard` type, for case-insensitive substring search). */
  logMessage: string;
  /** Level keyword; when a document has none (or an unknown value) the level is derived from the text. */
  logLevel: string;
  logNamespace: string;
  logProject: string;
  logComponent: string;
  logEnvironment: string;
  logWorkflowRun: string;
  logWorkflowTask: string;
  logPod: string;
  logContainer: string;

  traceId: string;
  spanId: string;
  /** "" marks a root span. */
  parentSpanId: string;
  spanName: string;
  spanKind: string;
  /** ISO strings (`date_nanos`). */
  spanStartTime: string;
  spanEndTime: string;
  spanStatusCode: string;
  spanStatusMessage: string;
  /** Span attributes object (stored, not indexed). */
  spanAttributes: string;
  /** Resource attributes object; the five keys below are looked up inside it. */
  spanResource: string;
  /** Resource attribute KEYS (OTel style, dots kept: `service.name`), below `spanResource`. */
  serviceNameAttribute: string;
  namespaceAttribute: string;
  projectAttribute: string;
  componentAttribute: string;
  environmentAttribute: string;
}

/** Pod labels as Fluent Bit's Kubernetes filter writes them (`Replace_Dots On`). */
const podLabel = (key: string): string => `kubernetes.labels.${fluentBitLabelKey(key)}`;

export const DEFAULT_FIELDS: Readonly<FieldNames> = Object.freeze({
  logTimestamp: '@timestamp',
  logMessage: 'log',
  logLevel: 'level',
  logNamespace: podLabel(PLATFORM_LABELS.namespace),
  logProject: podLabel(PLATFORM_LABELS.project),
  logComponent: podLabel(PLATFORM_LABELS.component),
  logEnvironment: podLabel(PLATFORM_LABELS.environment),
  logWorkflowRun: podLabel(WORKFLOW_LABELS.run),
  logWorkflowTask: podLabel(WORKFLOW_LABELS.task),
  logPod: 'kubernetes.pod_name',
  logContainer: 'kubernetes.container_name',

  traceId: 'traceId',
  spanId: 'spanId',
  parentSpanId: 'parentSpanId',
  spanName: 'name',
  spanKind: 'kind',
  spanStartTime: 'startTime',
  spanEndTime: 'endTime',
  spanStatusCode: 'status.code',
  spanStatusMessage: 'status.message',
  spanAttributes: 'attributes',
  spanResource: 'resource',
  serviceNameAttribute: OTEL_RESOURCE.serviceName,
  namespaceAttribute: PLATFORM_LABELS.namespace,
  projectAttribute: PLATFORM_LABELS.project,
  componentAttribute: PLATFORM_LABELS.component,
  environmentAttribute: PLATFORM_LABELS.environment,
});

/** Full field paths of the span resource attributes used in queries. */
export function resourceField(fields: FieldNames, key: keyof FieldNames): string {
  return `${fields.spanResource}.${fields[key]}`;
}

/** Defaults merged with overrides; refuses names that could act as patterns or address a different document part. */
export function resolveFields(overrides: Partial<FieldNames> = {}): FieldNames {
  const fields: FieldNames = { ...DEFAULT_FIELDS };
  for (const [key, value] of Object.entries(overrides) as [keyof FieldNames, unknown][]) {
    if (value === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_FIELDS, key)) throw new Error(`unknown OpenSearch field setting "${String(key)}"`);
    fields[key] = value as string;
  }
  for (const [key, value] of Object.entries(fields)) {
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > 256 ||
      /[*?,\s"\\]/.test(value) ||
      value.startsWith('.') ||
      value.endsWith('.')
    ) {
      throw new Error(`invalid OpenSearch field name for "${key}": ${JSON.stringify(value)}`);
    }
  }
  if (fields.spanAttributes.includes('.') || fields.spanResource.includes('.')) {
    throw new Error('spanAttributes and spanResource must be top-level field names');
  }
  return fields;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted field path in a `_source`, whichever way the writer shaped it: nested objects
 * (`{kubernetes: {labels: {...}}}`), flat dotted keys (`{"resource.service.name": …}`), or a mix
 * (`{resource: {"service.name": …}}`, the OpenTelemetry exporter's shape). Longest key first.
 */
export function getPath(source: unknown, path: string): unknown {
  if (!isObject(source)) return undefined;
  if (Object.prototype.hasOwnProperty.call(source, path)) return source[path];
  let dot = path.lastIndexOf('.');
  while (dot > 0) {
    const head = path.slice(0, dot);
    if (Object.prototype.hasOwnProperty.call(source, head) && isObject(source[head])) {
      const found = getPath(source[head], path.slice(dot + 1));
      if (found !== undefined) return found;
    }
    dot = path.lastIndexOf('.', dot - 1);
  }
  return undefined;
}

/** Sets a dotted path as nested objects (`a.b.c` → `{a: {b: {c}}}`), the shape Fluent Bit writes. */
export function setNestedPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (isObject(next)) {
      current = next;
    } else {
      const created: Json = {};
      current[part] = created;
      current = created;
    }
  }
  current[parts[parts.length - 1]!] = value;
}

export function asOptionalString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length > 0) return asOptionalString(value[0]);
  return undefined;
}
