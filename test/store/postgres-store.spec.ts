import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/env.js';
import {
  createResourceStore,
  describeStoreConfig,
  redactConnectionString,
  resolveStoreConfig,
} from '../../servers/control-plane/store/create-store.js';
import { SCHEMA_VERSION } from '../../servers/control-plane/store/migrations.js';
import { createPostgresStore } from '../../servers/control-plane/store/postgres-store.js';
import { createTestDatabase, withClient, type TestDatabase } from '../support/postgres.js';
import { alice, component, storeContract } from './store-contract.js';

// A fresh database per test (CREATE DATABASE takes a few ms), on the run's one PostgreSQL server.
storeContract('postgres', {
  async newDatabase() {
    const database = await createTestDatabase();
    return {
      open: () => createPostgresStore(database.url, { maxConnections: 10 }),
      drop: () => database.drop(),
    };
  },
});

describe('PostgresResourceStore specifics', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('migrates once when several replicas start at the same time (advisory lock)', async () => {
    const fresh = await createTestDatabase();
    try {
      const stores = await Promise.all(Array.from({ length: 5 }, () => createPostgresStore(fresh.url, { maxConnections: 2 })));
      await stores[0]!.create(component('default', 'shop', 'cart'), alice);
      expect(await stores[4]!.count()).toBe(1);
      for (const store of stores) await store.close();
      const rows = await withClient(
        fresh.url,
        async (client) => (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows,
      );
      expect(rows).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, index) => ({ version: index + 1 })));
    } finally {
      await fresh.drop();
    }
  });

  it('sorts names bytewise even in a database whose default collation does not', async () => {
    await (await createPostgresStore(database.url)).close();
    const collation = await withClient(
      database.url,
      async (client) =>
        (
          await client.query(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = 'resources' AND column_name = 'name'",
          )
        ).rows[0],
    );
    expect(collation).toEqual({ collation_name: 'C' });
  });

  it('refuses a database whose schema is newer than it knows', async () => {
    const fresh = await createTestDatabase();
    try {
      await (await createPostgresStore(fresh.url)).close();
      await withClient(fresh.url, (client) => client.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')"));
      await expect(createPostgresStore(fresh.url)).rejects.toThrow(/version 999, newer than this server knows/);
    } finally {
      await fresh.drop();
    }
  });

  it('fails to open with a clear error when the server is unreachable, without leaking the password', async () => {
    const error = await createPostgresStore('postgresql://plane:s3cret-pw@127.0.0.1:1/plane', { connectionTimeoutMillis: 2_000 }).then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String(error?.message)).not.toContain('s3cret-pw');
  });
});

describe('store configuration (postgres)', () => {
  it('reads PLANE_STORE=postgres with PLANE_DATABASE_URL', () => {
    const url = 'postgresql://plane:s3cret@db.internal:5432/plane?sslmode=require';
    expect(resolveStoreConfig({ PLANE_STORE: 'postgres', PLANE_DATABASE_URL: url }, 'data')).toEqual({ backend: 'postgres', url });
    expect(resolveStoreConfig({ PLANE_STORE: 'postgres', PLANE_DATABASE_URL: 'postgres://h/db' }, 'data')).toEqual({
      backend: 'postgres',
      url: 'postgres://h/db',
    });
  });

  it('requires PLANE_DATABASE_URL and names it, never echoing the value', () => {
    expect(() => resolveStoreConfig({ PLANE_STORE: 'postgres' }, 'data')).toThrow(ConfigError);
    expect(() => resolveStoreConfig({ PLANE_STORE: 'postgres' }, 'data')).toThrow(
      /PLANE_DATABASE_URL: is required when PLANE_STORE=postgres/,
    );
    expect(() => resolveStoreConfig({ PLANE_STORE: 'postgres', PLANE_DATABASE_URL: '' }, 'data')).toThrow(/PLANE_DATABASE_URL/);
    let message = '';
    try {
      resolveStoreConfig({ PLANE_STORE: 'postgres', PLANE_DATABASE_URL: 'mysql://root:hunter2@db/plane' }, 'data');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PLANE_DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ connection URL/);
    expect(message).not.toContain('hunter2');
  });

  it('describes the configuration for logs with the password masked', () => {
    expect(describeStoreConfig({ backend: 'postgres', url: 'postgresql://plane:s3cret@db:5432/plane' })).toBe(
      'postgres postgresql://plane:***@db:5432/plane',
    );
    expect(redactConnectionString('postgresql://db/plane?user=plane&password=s3cret')).not.toContain('s3cret');
    expect(redactConnectionString('postgresql://plane@db/plane')).toBe('postgresql://plane@db/plane');
  });

  it('creates a PostgreSQL store from the configuration', async () => {
    const fresh = await createTestDatabase();
    try {
      const store = await createResourceStore(resolveStoreConfig({ PLANE_STORE: 'postgres', PLANE_DATABASE_URL: fresh.url }, 'data'));
      expect(store.backend).toBe('postgres');
      await store.create(component('default', 'shop', 'cart'), alice);
      expect(await store.count('Component')).toBe(1);
      await store.close();
    } finally {
      await fresh.drop();
    }
  });
});
