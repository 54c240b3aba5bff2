import type Database from 'better-sqlite3';
import type { Pool, PoolClient } from 'pg';
import { POSTGRES_AUDIT_SCHEMA } from '../../../shared/audit/postgres-audit-store.js';
import { SQLITE_AUDIT_SCHEMA } from '../../../shared/audit/sqlite-audit-store.js';

/**
 * Versioned schema migrations of the control plane's database, one list for both backends so they
 * never drift. Each applied version is recorded in `schema_migrations`; start-up applies the missing
 * ones in order, each in its own transaction together with its record, so a crash leaves either the
 * whole step or none of it. Never edit an applied migration: append a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'resources and audit events',
    sqlite: `
      CREATE TABLE resources (
        kind TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        project TEXT,
        component TEXT,
        resource_version INTEGER NOT NULL CHECK (resource_version > 0),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        object TEXT NOT NULL,
        PRIMARY KEY (kind, namespace, name)
      ) WITHOUT ROWID;
      CREATE INDEX resources_owner ON resources (kind, namespace, project, component, name);
      ${SQLITE_AUDIT_SCHEMA}
    `,
    // COLLATE "C": names sort bytewise, as in SQLite, whatever the database's locale (en_US collation
    // ignores '-' at first level, which would make list order and keyset paging differ by backend).
    // JSON, not JSONB: JSONB refuses "\\u0000" in strings, which SQLite stores happily.
    postgres: `
      CREATE TABLE resources (
        kind TEXT COLLATE "C" NOT NULL,
        namespace TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        project TEXT COLLATE "C",
        component TEXT COLLATE "C",
        resource_version BIGINT NOT NULL CHECK (resource_version > 0),
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        object JSON NOT NULL,
        PRIMARY KEY (kind, namespace, name)
      );
      CREATE INDEX resources_owner ON resources (kind, namespace, project, component, name);
      ${POSTGRES_AUDIT_SCHEMA}
    `,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((migration) => migration.version));

/**
 * Key of the PostgreSQL advisory lock held while migrating, so replicas starting at once apply each
 * migration exactly once (the others wait, then find nothing to do). Advisory locks are per database.
 */
export const MIGRATION_LOCK_KEY = 482_854_841_957; // "plane" in ASCII, as a number

export interface MigrationResult {
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  version: number;
}

function pending(appliedVersions: number[]): Migration[] {
  const applied = new Set(appliedVersions);
  const newest = Math.max(0, ...appliedVersions);
  if (newest > SCHEMA_VERSION) {
    throw new Error(
      `the database schema is at version ${newest}, newer than this server knows (${SCHEMA_VERSION}); run a newer plane-mcp against it`,
    );
  }
  return [...MIGRATIONS].sort((a, b) => a.version - b.version).filter((migration) => !applied.has(migration.version));
}

/**
 * Bring a SQLite database up to date. Runs in one `BEGIN IMMEDIATE` transaction: a second process
 * migrating the same file waits on the write lock (busy timeout) and then finds nothing to do.
 */
export function migrateSqlite(db: Database.Database): MigrationResult {
  const run = db.transaction((): number[] => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const rows = db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>;
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const applied: number[] = [];
    for (const migration of pending(rows.map((row) => row.version))) {
      db.exec(migration.sqlite);
      record.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    }
    return applied;
  });
  return { applied: run.immediate(), version: SCHEMA_VERSION };
}

/**
 * Bring a PostgreSQL database up to date under a session advisory lock (released by the server if
 * this process dies). Each migration and its `schema_migrations` row commit together.
 */
export async function migratePostgres(pool: Pool): Promise<MigrationResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return { applied: await applyPostgres(client), version: SCHEMA_VERSION };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection that failed mid-migration is discarded rather than returned to the pool.
    client.release(broken);
  }
}

async function applyPostgres(client: PoolClient): Promise<number[]> {
  await client.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
  );
  const rows = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied: number[] = [];
  for (const migration of pending(rows.rows.map((row) => row.version))) {
    await client.query('BEGIN');
    try {
      await client.query(migration.postgres);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    applied.push(migration.version);
  }
  return applied;
}
