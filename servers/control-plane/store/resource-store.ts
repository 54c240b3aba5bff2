import type { AuditStore } from '../../../shared/audit/audit-event.js';
import type { PlatformResource, ResourceKind, ResourceOf } from '../domain/resources.js';

/** Who made a change and through which OAuth client; stamped on the object by the store. */
export interface Actor {
  subject: string;
  clientId: string;
}

export interface ListQuery {
  kind: ResourceKind;
  /** Required for every kind but Namespace. */
  namespace?: string;
  /** Only objects owned by this project (see `ownerOf`). */
  project?: string;
  /** Only objects owned by this component (needs `project`). */
  component?: string;
  /** Return objects whose name sorts after this one (exclusive): keyset pagination. */
  after?: string;
  limit: number;
}

export interface ListPage<R> {
  items: R[];
  /** The last name returned when more may follow; pass it as `after` for the next page. */
  next?: string;
}

export interface WriteOptions {
  /**
   * The `resourceVersion` the caller read. When given, the write succeeds only if the stored object
   * still has it; otherwise `ResourceConflictError`.
   */
  expectedVersion?: string;
  /**
   * A status report by a controller (the data plane): the object's changed-by / changed-through
   * annotations keep naming whoever last changed what it should be, not the reporter.
   */
  statusReport?: boolean;
}

/**
 * The control plane's persistence, one interface for SQLite and PostgreSQL. Objects are keyed by
 * (kind, namespace, name) and ordered by name. Every write bumps `metadata.resourceVersion`, sets
 * `updatedAt`, and stamps the actor annotations; every write is atomic.
 */
export interface ResourceStore {
  readonly backend: 'sqlite' | 'postgres';
  get<K extends ResourceKind>(kind: K, namespace: string | undefined, name: string): Promise<ResourceOf<K> | undefined>;
  list<K extends ResourceKind>(query: ListQuery & { kind: K }): Promise<ListPage<ResourceOf<K>>>;
  /** Refuses an existing (kind, namespace, name) with `ResourceExistsError`. */
  create<R extends PlatformResource>(resource: R, actor: Actor): Promise<R>;
  /** Replaces the stored object; `ResourceNotFoundError` if absent, `ResourceConflictError` if the version is stale. */
  update<R extends PlatformResource>(resource: R, actor: Actor, options?: WriteOptions): Promise<R>;
  /**
   * Read-modify-write with optimistic concurrency: `change` gets the current object and returns the new
   * one (or throws). When another writer wins the race and no `expectedVersion` was given, `change`
   * runs again on the fresh object, so a concurrent writer's change is never silently lost.
   */
  modify<K extends ResourceKind>(
    kind: K,
    namespace: string | undefined,
    name: string,
    actor: Actor,
    change: (current: ResourceOf<K>) => ResourceOf<K> | Promise<ResourceOf<K>>,
    options?: WriteOptions,
  ): Promise<{ before: ResourceOf<K>; after: ResourceOf<K> }>;
  /** Deletes and returns the object; `ResourceNotFoundError` if absent, `ResourceConflictError` if the version is stale. */
  delete<K extends ResourceKind>(kind: K, namespace: string | undefined, name: string, options?: WriteOptions): Promise<ResourceOf<K>>;
  /** How many objects of a kind exist (benchmarks, the demo loader's "empty store" check). */
  count(kind?: ResourceKind): Promise<number>;
  /** The audit trail, kept in the same database. */
  readonly audit: AuditStore;
  close(): Promise<void>;
}
