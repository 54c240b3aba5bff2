import { PLATFORM_LABELS } from '../../../../../shared/telemetry/conventions.js';
import type { TelemetryScope } from '../../telemetry-backend.js';
import { child, isObj, list, text, type Obj } from './message-fields.js';

const MAX_VALUE_DEPTH = 16;

/** OTLP AnyValue → a plain JSON value (nesting deeper than 16 levels is cut off as null). */
export function anyValueToJs(value: unknown, depth = 0): unknown {
  if (!isObj(value) || depth > MAX_VALUE_DEPTH) return null;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) {
    const n = Number(value.doubleValue);
    return Number.isFinite(n) ? n : String(value.doubleValue);
  }
  if (isObj(value.arrayValue)) return list(value.arrayValue, 'values').map((item) => anyValueToJs(item, depth + 1));
  if (isObj(value.kvlistValue)) return keyValues(list(value.kvlistValue, 'values'), depth + 1);
  if (value.bytesValue instanceof Uint8Array) return Buffer.from(value.bytesValue).toString('base64');
  if (typeof value.bytesValue === 'string') return value.bytesValue;
  return null;
}

function keyValues(items: Obj[], depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of items) if (typeof kv.key === 'string') setOwn(out, kv.key, anyValueToJs(kv.value, depth));
  return out;
}

/** The `attributes` of a resource, record, span or data point as a plain object. */
export function attributes(parent: Obj | undefined): Record<string, unknown> {
  return parent ? keyValues(list(parent, 'attributes')) : {};
}

/** Sets an own property, even one named `__proto__` (attribute keys come from the sender). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An attribute value as a metric label value (non-strings as JSON). */
export function labelText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface ResourceInfo {
  /** Undefined when the resource names no namespace and there is no default. */
  scope: TelemetryScope | undefined;
  attributes: Record<string, unknown>;
}

/** The scope a resource group's `openchoreo.dev/*` attributes name, and all its attributes. */
export function resourceInfo(resourceGroup: Obj, defaultNamespace: string | undefined): ResourceInfo {
  const attrs = attributes(child(resourceGroup, 'resource'));
  const namespace = text(attrs[PLATFORM_LABELS.namespace]) ?? defaultNamespace;
  if (!namespace) return { scope: undefined, attributes: attrs };
  const scope: TelemetryScope = { namespace };
  for (const field of ['project', 'component', 'environment'] as const) {
    const value = text(attrs[PLATFORM_LABELS[field]]);
    if (value) scope[field] = value;
  }
  return { scope, attributes: attrs };
}

export const MISSING_NAMESPACE = `resource attribute ${PLATFORM_LABELS.namespace} is missing`;
