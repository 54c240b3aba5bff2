import { setTimeout as sleep } from 'node:timers/promises';
import { CHANGED_BY_ANNOTATION, CHANGED_THROUGH_ANNOTATION, isNamespaced, ownerOf } from '../domain/resources.js';
import type { PlatformResource, ResourceKind, ResourceOf } from '../domain/resources.js';
import type { Actor, ResourceStore, WriteOptions } from './resource-store.js';
import { ResourceConflictError } from './store-errors.js';

/** What both backends share: the row layout, stamping, version parsing and the `modify` retry loop. */

/** The namespace column: '' for Namespace objects (they live in none), otherwise the given namespace. */
export function namespaceKey(kind: ResourceKind, namespace: string | undefined): string {
  return isNamespaced(kind) ? (namespace ?? '') : '';
}

/** The namespace as reported in errors (undefined for Namespace objects). */
export function namespaceLabel(kind: ResourceKind, namespace: string | undefined): string | undefined {
  return isNamespaced(kind) ? namespace : undefined;
}

export interface PreparedWrite {
  kind: ResourceKind;
  namespace: string;
  name: string;
  project: string | null;
  component: string | null;
  /** The object as stored: actor annotations stamped; version and timestamps left to the row. */
  json: string;
}

/** The row values for writing `resource` on behalf of `actor` (a status report keeps the annotations it carries). */
export function prepareWrite(resource: PlatformResource, actor: Actor, options: WriteOptions = {}): PreparedWrite {
  const { resourceVersion: _version, createdAt: _created, updatedAt: _updated, ...metadata } = resource.metadata;
  const stored = {
    ...resource,
    metadata: {
      ...metadata,
      annotations: options.statusReport
        ? resource.metadata.annotations
        : { ...resource.metadata.annotations, [CHANGED_BY_ANNOTATION]: actor.subject, [CHANGED_THROUGH_ANNOTATION]: actor.clientId },
    },
  };
  const owner = ownerOf(resource);
  return {
    kind: resource.kind,
    namespace: namespaceKey(resource.kind, resource.metadata.namespace),
    name: resource.metadata.name,
    project: owner.project ?? null,
    component: owner.component ?? null,
    json: JSON.stringify(stored),
  };
}

export interface ResourceRow {
  object: string;
  resource_version: number | string;
  created_at: string | Date;
  updated_at: string | Date;
}

function isoTime(value: string | Date): string {
  return value instanceof Date ? value.toISOString() : value;
}

/** The object a read returns: the stored JSON, re-parsed, with version and timestamps from the row. */
export function fromRow<R extends PlatformResource>(row: ResourceRow): R {
  const object = JSON.parse(row.object) as R;
  object.metadata = {
    ...object.metadata,
    resourceVersion: String(row.resource_version),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
  return object;
}

/** A version the caller passed, as the stored integer; undefined when it cannot match any (garbage). */
export function parseVersion(version: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(version)) return undefined;
  const value = Number(version);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function now(): string {
  return new Date().toISOString();
}

/** How often `modify` re-reads and retries after losing a race when the caller gave no version. */
export const MODIFY_ATTEMPTS = 10;

/**
 * `ResourceStore.modify` for both backends, on top of their `get` and database-side CAS `update`:
 * read, let `change` produce the new object, write it only if the version is still the one read.
 * A lost race re-runs `change` on the fresh object (jittered backoff), unless the caller pinned an
 * `expectedVersion`, which is then refused at once.
 */
export async function modifyResource<K extends ResourceKind>(
  store: Pick<ResourceStore, 'get' | 'update'>,
  notFound: () => Error,
  kind: K,
  namespace: string | undefined,
  name: string,
  actor: Actor,
  change: (current: ResourceOf<K>) => ResourceOf<K> | Promise<ResourceOf<K>>,
  options: WriteOptions = {},
): Promise<{ before: ResourceOf<K>; after: ResourceOf<K> }> {
  let lastConflict: ResourceConflictError | undefined;
  for (let attempt = 0; attempt < MODIFY_ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(Math.random() * Math.min(100, 2 ** attempt));
    const current = await store.get(kind, namespace, name);
    if (!current) throw notFound();
    const version = current.metadata.resourceVersion ?? '';
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new ResourceConflictError(kind, namespaceLabel(kind, namespace), name, options.expectedVersion, version);
    }
    const before = structuredClone(current);
    const next = await change(structuredClone(current));
    if (
      next.kind !== kind ||
      next.metadata.name !== name ||
      namespaceKey(kind, next.metadata.namespace) !== namespaceKey(kind, namespace)
    ) {
      throw new Error(`modify must not change the kind, namespace or name of ${kind} ${name}`);
    }
    try {
      const after = await store.update(next, actor, { expectedVersion: version, ...(options.statusReport ? { statusReport: true } : {}) });
      return { before, after };
    } catch (error) {
      if (!(error instanceof ResourceConflictError) || options.expectedVersion !== undefined) throw error;
      lastConflict = error;
    }
  }
  throw lastConflict ?? new Error('unreachable');
}
