import * as z from 'zod';
import { resourceName } from '../names.js';

/** The API group and version every OpenChoreo kind is served under. */
export const API_VERSION = 'openchoreo.dev/v1alpha1';

/** The DNS-1123 label pattern as the CRDs spell it. */
export const DNS_1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/**
 * A Kubernetes object name, or a reference to one: a DNS-1123 label. OpenChoreo copies names into label
 * values (`openchoreo.dev/component` …), which cannot be longer or looser than that. The refinements of
 * `resourceName` name the rule a bad name breaks; the pattern is published for JSON Schema readers.
 */
export const objectName = resourceName.meta({ pattern: DNS_1123_LABEL_PATTERN });

export const nonEmptyString = z.string().min(1, { error: 'must not be empty' });

/** A CEL expression wrapped in `${…}`, as OpenChoreo's templates and validation rules are written. */
export const celExpression = z.string().regex(/^\$\{[\s\S]+\}\s*$/, { error: 'must be a CEL expression wrapped in ${...}' });

/** The loop variable a `forEach` binds. */
export const celVariable = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'must be an identifier (letters, digits, _)' });

/** `90d`, `1h30m`, `30s`: days, hours, minutes, seconds, without spaces. */
export const durationString = z.string().regex(/^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/, { error: 'must be a duration such as 1d, 1h30m or 30s' });

/** RFC 3339 time, as the API server writes `metav1.Time`. */
export const timestamp = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time such as 2026-01-12T09:00:04Z' });

export const port = z.int().min(1).max(65535);

/** Free-form content the CRD keeps as is (`x-kubernetes-preserve-unknown-fields`). */
export const freeForm = z.record(z.string(), z.unknown());

/** A map limited to `max` entries (`maxProperties` in the CRD). */
export function limitedMap<Value extends z.ZodType>(value: Value, max: number) {
  return z
    .record(z.string(), value)
    .refine((map) => Object.keys(map).length <= max, { error: `must have at most ${max} entries` })
    .meta({ maxProperties: max });
}

/**
 * An array whose items are unique by `key` (`x-kubernetes-list-type: map`): the API server refuses a
 * second item with the same key.
 */
export function listMap<Item extends z.ZodType<Record<string, unknown>>>(item: Item, key: string, maxItems?: number) {
  const list = maxItems === undefined ? z.array(item) : z.array(item).max(maxItems);
  return list.superRefine((items, context) => {
    const seen = new Set<unknown>();
    items.forEach((entry, index) => {
      const value = entry[key];
      if (seen.has(value)) context.addIssue({ code: 'custom', path: [index, key], message: `duplicate ${key} ${JSON.stringify(value)}` });
      seen.add(value);
    });
  });
}

/** An array of distinct values (`x-kubernetes-list-type: set`). */
export function listSet<Item extends z.ZodType<string>>(item: Item) {
  return z.array(item).superRefine((items, context) => {
    items.forEach((value, index) => {
      if (items.indexOf(value) !== index)
        context.addIssue({ code: 'custom', path: [index], message: `duplicate value ${JSON.stringify(value)}` });
    });
  });
}

/** A reference to another object by kind and name, e.g. `{kind: ClusterDataPlane, name: default}`. */
export function kindedRef<const Kinds extends readonly [string, ...string[]]>(kinds: Kinds, name: z.ZodType<string> = objectName) {
  return z.strictObject({ kind: z.enum(kinds), name });
}

/** `secretKeyRef: {name, key}`: a key of a SecretReference, never its value. */
export const secretKeyRef = z.strictObject({ name: nonEmptyString, key: nonEmptyString });

export type SecretKeyRef = z.infer<typeof secretKeyRef>;
