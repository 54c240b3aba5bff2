import * as z from 'zod';
import {
  CHANGED_BY_ANNOTATION,
  CHANGED_THROUGH_ANNOTATION,
  RESOURCE_KINDS,
  isNamespaced,
  parseResource,
  type PlatformResource,
  type ResourceKind,
} from '../domain/resources.js';

/** Annotations the store stamps on every write; they describe the write, not the desired state. */
export const SERVER_ANNOTATIONS: readonly string[] = [CHANGED_BY_ANNOTATION, CHANGED_THROUGH_ANNOTATION];

/** Metadata the store manages; ignored when read from a file and dropped on export. */
const SERVER_METADATA = ['resourceVersion', 'createdAt', 'updatedAt'] as const;

/** `spec.endpoints.http.port: must be …`, one line per failing field, each naming the rule. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = formatPath(issue.path);
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type ParsedDocument = { resource: PlatformResource; hasStatus: boolean } | { error: string };

/**
 * Validate one YAML document's value as a resource (a namespaced one without a namespace gets
 * `defaultNamespace`); otherwise a message naming the field and the rule. `hasStatus` says whether
 * the document itself carries a `status` (otherwise the stored status is kept).
 */
export function parseDocument(value: unknown, defaultNamespace: string): ParsedDocument {
  if (!isPlainObject(value)) return { error: 'document is not a mapping (expected apiVersion, kind, metadata, spec)' };
  const kindValue = value['kind'];
  if (typeof kindValue !== 'string' || !(RESOURCE_KINDS as readonly string[]).includes(kindValue)) {
    const shown = kindValue === undefined ? 'missing' : `unknown kind ${JSON.stringify(kindValue)}`;
    return { error: `kind: ${shown}; must be one of ${RESOURCE_KINDS.join(', ')}` };
  }
  const kind = kindValue as ResourceKind;
  const metadataValue = value['metadata'];
  if (!isPlainObject(metadataValue)) return { error: 'metadata: must be a mapping with at least a name' };
  const metadata: Record<string, unknown> = { ...metadataValue };
  for (const key of SERVER_METADATA) delete metadata[key];
  if (isNamespaced(kind)) {
    if (metadata['namespace'] === undefined || metadata['namespace'] === null) metadata['namespace'] = defaultNamespace;
  } else if (metadata['namespace'] !== undefined) {
    return { error: 'metadata.namespace: a Namespace is not itself namespaced; remove metadata.namespace' };
  }
  const hasStatus = value['status'] !== undefined && value['status'] !== null;
  const input: Record<string, unknown> = { ...value, metadata };
  if (!hasStatus) delete input['status'];
  try {
    return { resource: parseResource(input), hasStatus };
  } catch (error) {
    if (error instanceof z.ZodError) return { error: describeZodError(error) };
    throw error;
  }
}

/** `Kind name` of a document that failed validation, when it names both; for the report. */
export function labelOf(value: unknown): string | undefined {
  const name = isPlainObject(value) && isPlainObject(value['metadata']) ? value['metadata']['name'] : undefined;
  const kind = isPlainObject(value) ? value['kind'] : undefined;
  return typeof kind === 'string' && typeof name === 'string' ? `${kind} ${name}` : undefined;
}
