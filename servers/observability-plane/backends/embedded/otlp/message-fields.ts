import { OtlpHttpError } from './http-error.js';

/**
 * Reading fields of a decoded OTLP message (JSON or protobuf, both as plain objects) defensively:
 * the sender controls every value.
 */
export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** An array field (absent = empty); anything else is a malformed request. */
export function list(parent: unknown, field: string): Obj[] {
  if (!isObj(parent)) return [];
  const value = parent[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpHttpError(400, `${field} must be an array`);
  return value.map((item) => {
    if (!isObj(item)) throw new OtlpHttpError(400, `${field} must hold objects`);
    return item;
  });
}

export function child(parent: Obj, field: string): Obj | undefined {
  const value = parent[field];
  return isObj(value) ? value : undefined;
}

/** A non-empty string, else undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Nanoseconds (decimal string or number) → epoch µs; undefined for absent, zero or malformed. */
export function nanosToMicros(value: unknown): number | undefined {
  let nanos: bigint;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) nanos = BigInt(value);
  else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) nanos = BigInt(Math.trunc(value));
  else return undefined;
  return nanos > 0n ? Number(nanos / 1000n) : undefined;
}

/** A trace or span id (bytes, or hex in JSON) as lowercase hex of `bytes` bytes, not all zero; else undefined. */
export function hexId(value: unknown, bytes: number): string | undefined {
  let hex: string;
  if (value instanceof Uint8Array) hex = Buffer.from(value).toString('hex');
  else if (typeof value === 'string') hex = value.toLowerCase();
  else return undefined;
  return hex.length === bytes * 2 && /^[0-9a-f]+$/.test(hex) && !/^0+$/.test(hex) ? hex : undefined;
}

export function isEmptyId(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (value instanceof Uint8Array && value.length === 0);
}
