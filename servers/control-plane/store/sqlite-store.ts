import type Database from 'better-sqlite3';
import { SqliteAuditStore } from '../../../shared/audit/sqlite-audit-store.js';
import { openSqliteDatabase } from '../../../shared/sqlite/open-database.js';
import type { AuditStore } from '../../../shared/audit/audit-event.js';
import type { PlatformResource, ResourceKind, ResourceOf } from '../domain/resources.js';
import { isNamespaced } from '../domain/resources.js';
import { migrateSqlite } from './migrations.js';
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

const ROW = 'object, resource_version, created_at, updated_at';

/**
 * The embedded store: one SQLite file (WAL, busy timeout) holding the resources and the audit trail.
 * Every write is one statement, so one transaction; the compare-and-swap is the statement's
 * `WHERE resource_version = ?`, so it holds across connections and processes sharing the file.
 */
export class SqliteResourceStore implements ResourceStore {
  readonly backend = 'sqlite' as const;
  readonly audit: AuditStore;
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepare>;

  /** `file` is the database file (its directory is created) or `:memory:`. Migrations run here. */
  constructor(readonly file: string) {
    this.db = openSqliteDatabase(file);
    try {
      migrateSqlite(this.db);
      this.statements = prepare(this.db);
      this.audit = new SqliteAuditStore(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  async get<K extends ResourceKind>(kind: K, namespace: string | undefined, name: string): Promise<ResourceOf<K> | undefined> {
    const row = this.statements.get.get(kind, namespaceKey(kind, namespace), name) as ResourceRow | undefined;
    return row ? fromRow<ResourceOf<K>>(row) : undefined;
  }

  async list<K extends ResourceKind>(query: ListQuery & { kind: K }): Promise<ListPage<ResourceOf<K>>> {
    if (isNamespaced(query.kind) && query.namespace === undefined) throw new TypeError(`listing ${query.kind} needs a namespace`);
    const clauses = ['kind = @kind', 'namespace = @namespace'];
    const params: Record<string, unknown> = {
      kind: query.kind,
      namespace: namespaceKey(query.kind, query.namespace),
      limit: query.limit + 1,
    };
    if (query.project !== undefined) {
      clauses.push('project = @project');
      params.project = query.project;
    }
    if (query.component !== undefined) {
      clauses.push('component = @component');
      params.component = query.component;
    }
    if (query.after !== undefined) {
      clauses.push('name > @after');
      params.after = query.after;
    }
    const rows = this.db
      .prepare(`SELECT ${ROW} FROM resources WHERE ${clauses.join(' AND ')} ORDER BY name LIMIT @limit`)
      .all(params) as ResourceRow[];
    const items = rows.slice(0, Math.max(0, query.limit)).map((row) => fromRow<ResourceOf<K>>(row));
    const last = items.at(-1);
    return rows.length > items.length && last ? { items, next: last.metadata.name } : { items };
  }

  async create<R extends PlatformResource>(resource: R, actor: Actor): Promise<R> {
    const write = prepareWrite(resource, actor);
    const time = now();
    const row = this.statements.insert.get({ ...write, version: 1, time }) as ResourceRow | undefined;
    if (!row) throw new ResourceExistsError(write.kind, namespaceLabel(write.kind, resource.metadata.namespace), write.name);
    return fromRow<R>(row);
  }

  async update<R extends PlatformResource>(resource: R, actor: Actor, options: WriteOptions = {}): Promise<R> {
    const write = prepareWrite(resource, actor, options);
    const params = { ...write, time: now() };
    let row: ResourceRow | undefined;
    if (options.expectedVersion === undefined) {
      row = this.statements.update.get(params) as ResourceRow | undefined;
    } else {
      const expected = parseVersion(options.expectedVersion);
      row = expected === undefined ? undefined : (this.statements.updateIfVersion.get({ ...params, expected }) as ResourceRow | undefined);
    }
    if (row) return fromRow<R>(row);
    throw this.missOrConflict(write.kind, resource.metadata.namespace, write.name, options.expectedVersion);
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
    const key = { kind, namespace: namespaceKey(kind, namespace), name };
    let row: ResourceRow | undefined;
    if (options.expectedVersion === undefined) {
      row = this.statements.delete.get(key) as ResourceRow | undefined;
    } else {
      const expected = parseVersion(options.expectedVersion);
      row = expected === undefined ? undefined : (this.statements.deleteIfVersion.get({ ...key, expected }) as ResourceRow | undefined);
    }
    if (row) return fromRow<ResourceOf<K>>(row);
    throw this.missOrConflict(kind, namespace, name, options.expectedVersion);
  }

  async count(kind?: ResourceKind): Promise<number> {
    const row = (kind ? this.statements.countKind.get(kind) : this.statements.countAll.get()) as { n: number };
    return row.n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** After a write matched no row: the object is gone, or its version moved on. */
  private missOrConflict(kind: ResourceKind, namespace: string | undefined, name: string, expected: string | undefined): Error {
    const current = this.statements.version.get(kind, namespaceKey(kind, namespace), name) as { resource_version: number } | undefined;
    if (!current) return new ResourceNotFoundError(kind, namespaceLabel(kind, namespace), name);
    return new ResourceConflictError(kind, namespaceLabel(kind, namespace), name, expected ?? '', String(current.resource_version));
  }
}

function prepare(db: Database.Database) {
  const key = 'kind = @kind AND namespace = @namespace AND name = @name';
  const set = 'object = @json, project = @project, component = @component, resource_version = resource_version + 1, updated_at = @time';
  return {
    get: db.prepare(`SELECT ${ROW} FROM resources WHERE kind = ? AND namespace = ? AND name = ?`),
    version: db.prepare('SELECT resource_version FROM resources WHERE kind = ? AND namespace = ? AND name = ?'),
    insert: db.prepare(
      `INSERT INTO resources (kind, namespace, name, project, component, resource_version, created_at, updated_at, object)
       VALUES (@kind, @namespace, @name, @project, @component, @version, @time, @time, @json)
       ON CONFLICT (kind, namespace, name) DO NOTHING RETURNING ${ROW}`,
    ),
    update: db.prepare(`UPDATE resources SET ${set} WHERE ${key} RETURNING ${ROW}`),
    updateIfVersion: db.prepare(`UPDATE resources SET ${set} WHERE ${key} AND resource_version = @expected RETURNING ${ROW}`),
    delete: db.prepare(`DELETE FROM resources WHERE ${key} RETURNING ${ROW}`),
    deleteIfVersion: db.prepare(`DELETE FROM resources WHERE ${key} AND resource_version = @expected RETURNING ${ROW}`),
    countAll: db.prepare('SELECT count(*) AS n FROM resources'),
    countKind: db.prepare('SELECT count(*) AS n FROM resources WHERE kind = ?'),
  };
}
