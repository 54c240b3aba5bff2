import pg from 'pg';
import type { AuditStore } from '../../../shared/audit/audit-event.js';
import { PostgresAuditStore } from '../../../shared/audit/postgres-audit-store.js';
import type { PlatformResource, ResourceKind, ResourceOf } from '../domain/resources.js';
import { isNamespaced } from '../domain/resources.js';
import { migratePostgres } from './migrations.js';
import type { Actor, ListPage, ListQuery, ResourceStore, WriteOptions } from './resource-store.js';
import { ResourceConflictError, ResourceExistsError, ResourceNotFoundError } from './store-errors.js';
import {
  fromRow,
  modifyResource,
  namespaceKey,
  namespaceLabel,
  now,
  parseVersion,
  prepareWrite,
  type ResourceRow,
} from './store-support.js';

const ROW = 'object::text AS object, resource_version::text AS resource_version, created_at, updated_at';
const KEY = 'kind = $1 AND namespace = $2 AND name = $3';

export interface PostgresStoreOptions {
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
  /** `application_name` shown in `pg_stat_activity` (default `plane-mcp`). */
  applicationName?: string;
  /** How long to wait for a connection before failing, in ms (default 10 000). */
  connectionTimeoutMillis?: number;
  /**
   * Errors of idle pooled connections (the server restarted, the network dropped). The pool discards
   * the connection and opens a new one on demand; without a listener Node would crash the process.
   */
  onPoolError?: (error: Error) => void;
}

/**
 * Open the PostgreSQL store: a connection pool, then the schema migrations (under an advisory lock,
 * so replicas may start together). The connection string is never logged or put in an error.
 */
export async function createPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): Promise<PostgresResourceStore> {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'plane-mcp',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresResourceStore(pool);
}

/**
 * The scale-out store. Every write is one statement (one transaction); the compare-and-swap is the
 * `UPDATE`/`DELETE … WHERE resource_version = $n`: under READ COMMITTED a concurrent writer blocks on
 * the row lock and then re-checks the predicate against the committed row, so exactly one wins.
 */
export class PostgresResourceStore implements ResourceStore {
  readonly backend = 'postgres' as const;
  readonly audit: AuditStore;

  /** Use `createPostgresStore`; this assumes the schema is migrated and takes ownership of the pool. */
  constructor(private readonly pool: pg.Pool) {
    this.audit = new PostgresAuditStore(pool);
  }

  async get<K extends ResourceKind>(kind: K, namespace: string | undefined, name: string): Promise<ResourceOf<K> | undefined> {
    const result = await this.pool.query<ResourceRow>(`SELECT ${ROW} FROM resources WHERE ${KEY}`, [
      kind,
      namespaceKey(kind, namespace),
      name,
    ]);
    const row = result.rows[0];
    return row ? fromRow<ResourceOf<K>>(row) : undefined;
  }

  async list<K extends ResourceKind>(query: ListQuery & { kind: K }): Promise<ListPage<ResourceOf<K>>> {
    if (isNamespaced(query.kind) && query.namespace === undefined) throw new TypeError(`listing ${query.kind} needs a namespace`);
    const params: unknown[] = [query.kind, namespaceKey(query.kind, query.namespace)];
    const clauses = ['kind = $1', 'namespace = $2'];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (query.project !== undefined) clauses.push(`project = ${param(query.project)}`);
    if (query.component !== undefined) clauses.push(`component = ${param(query.component)}`);
    if (query.after !== undefined) clauses.push(`name > ${param(query.after)}`);
    const limit = Math.max(0, query.limit);
    const result = await this.pool.query<ResourceRow>(
      `SELECT ${ROW} FROM resources WHERE ${clauses.join(' AND ')} ORDER BY name LIMIT ${param(limit + 1)}`,
      params,
    );
    const items = result.rows.slice(0, limit).map((row) => fromRow<ResourceOf<K>>(row));
    const last = items.at(-1);
    return result.rows.length > items.length && last ? { items, next: last.metadata.name } : { items };
  }

  async create<R extends PlatformResource>(resource: R, actor: Actor): Promise<R> {
    const write = prepareWrite(resource, actor);
    const result = await this.pool.query<ResourceRow>(
      `INSERT INTO resources (kind, namespace, name, project, component, resource_version, created_at, updated_at, object)
       VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7)
       ON CONFLICT (kind, namespace, name) DO NOTHING RETURNING ${ROW}`,
      [write.kind, write.namespace, write.name, write.project, write.component, now(), write.json],
    );
    const row = result.rows[0];
    if (!row) throw new ResourceExistsError(write.kind, namespaceLabel(write.kind, resource.metadata.namespace), write.name);
    return fromRow<R>(row);
  }

  async update<R extends PlatformResource>(resource: R, actor: Actor, options: WriteOptions = {}): Promise<R> {
    const write = prepareWrite(resource, actor, options);
    const params: unknown[] = [write.kind, write.namespace, write.name, write.project, write.component, now(), write.json];
    let row: ResourceRow | undefined;
    const set = 'project = $4, component = $5, updated_at = $6, object = $7, resource_version = resource_version + 1';
    if (options.expectedVersion === undefined) {
      row = (await this.pool.query<ResourceRow>(`UPDATE resources SET ${set} WHERE ${KEY} RETURNING ${ROW}`, params)).rows[0];
    } else {
      const expected = parseVersion(options.expectedVersion);
      if (expected !== undefined) {
        const sql = `UPDATE resources SET ${set} WHERE ${KEY} AND resource_version = $8 RETURNING ${ROW}`;
        row = (await this.pool.query<ResourceRow>(sql, [...params, expected])).rows[0];
      }
    }
    if (row) return fromRow<R>(row);
    throw await this.missOrConflict(write.kind, resource.metadata.namespace, write.name, options.expectedVersion);
  }

  async modify<K extends ResourceKind>(
    kind: K,
    namespace: string | undefined,
    name: string,
    actor: Actor,
    change: (current: ResourceOf<K>) => ResourceOf<K> | Promise<ResourceOf<K>>,
    options?: WriteOptions,
  ): Promise<{ before: ResourceOf<K>; after: ResourceOf<K> }> {
    const notFound = () => new ResourceNotFoundError(kind, namespaceLabel(kind, namespace), name);
    return modifyResource(this, notFound, kind, namespace, name, actor, change, options);
  }

  async delete<K extends ResourceKind>(
    kind: K,
    namespace: string | undefined,
    name: string,
    options: WriteOptions = {},
  ): Promise<ResourceOf<K>> {
    const key = [kind, namespaceKey(kind, namespace), name];
    let row: ResourceRow | undefined;
    if (options.expectedVersion === undefined) {
      row = (await this.pool.query<ResourceRow>(`DELETE FROM resources WHERE ${KEY} RETURNING ${ROW}`, key)).rows[0];
    } else {
      const expected = parseVersion(options.expectedVersion);
      if (expected !== undefined) {
        row = (
          await this.pool.query<ResourceRow>(`DELETE FROM resources WHERE ${KEY} AND resource_version = $4 RETURNING ${ROW}`, [
            ...key,
            expected,
          ])
        ).rows[0];
      }
    }
    if (row) return fromRow<ResourceOf<K>>(row);
    throw await this.missOrConflict(kind, namespace, name, options.expectedVersion);
  }

  async count(kind?: ResourceKind): Promise<number> {
    const result = kind
      ? await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM resources WHERE kind = $1', [kind])
      : await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM resources');
    return Number(result.rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /** After a write matched no row: the object is gone, or its version moved on. */
  private async missOrConflict(
    kind: ResourceKind,
    namespace: string | undefined,
    name: string,
    expected: string | undefined,
  ): Promise<Error> {
    const result = await this.pool.query<{ resource_version: string }>(
      `SELECT resource_version::text AS resource_version FROM resources WHERE ${KEY}`,
      [kind, namespaceKey(kind, namespace), name],
    );
    const current = result.rows[0];
    if (!current) return new ResourceNotFoundError(kind, namespaceLabel(kind, namespace), name);
    return new ResourceConflictError(kind, namespaceLabel(kind, namespace), name, expected ?? '', current.resource_version);
  }
}
