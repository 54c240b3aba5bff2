import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteAuditStore } from '../../shared/audit/sqlite-audit-store.js';
import { ConfigError } from '../../shared/config/env.js';
import { createResourceStore, describeStoreConfig, resolveStoreConfig } from '../../servers/control-plane/store/create-store.js';
import { SCHEMA_VERSION } from '../../servers/control-plane/store/migrations.js';
import { SqliteResourceStore } from '../../servers/control-plane/store/sqlite-store.js';
import { alice, component, storeContract } from './store-contract.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plane-mcp-sqlite-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

storeContract('sqlite', {
  async newDatabase() {
    const dir = mkdtempSync(join(tmpdir(), 'plane-mcp-sqlite-store-'));
    const file = join(dir, 'nested', 'control-plane.sqlite');
    return {
      open: async () => new SqliteResourceStore(file),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

describe('SqliteResourceStore specifics', () => {
  it('uses WAL and a busy timeout, and records the schema version', async () => {
    const file = join(tempDir(), 'cp.sqlite');
    const store = new SqliteResourceStore(file);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: SCHEMA_VERSION });
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: SCHEMA_VERSION });
    db.close();
  });

  it('works in memory', async () => {
    const store = new SqliteResourceStore(':memory:');
    await store.create(component('default', 'shop', 'cart'), alice);
    expect(await store.count()).toBe(1);
    await store.close();
  });

  it('refuses a database whose schema is newer than it knows', async () => {
    const file = join(tempDir(), 'cp.sqlite');
    await new SqliteResourceStore(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'now')").run();
    db.close();
    expect(() => new SqliteResourceStore(file)).toThrow(/version 999, newer than this server knows/);
  });

  it('keeps the standalone SqliteAuditStore working on its own file', async () => {
    const file = join(tempDir(), 'audit', 'plane-audit.sqlite');
    const audit = new SqliteAuditStore(file);
    await audit.append({
      id: 'a1',
      time: new Date().toISOString(),
      plane: 'observability-plane',
      subject: 'user:bob',
      subjectType: 'user',
      groups: [],
      clientId: 'cursor',
      tool: 'whoami',
      action: 'caller-only',
      decision: 'allow',
      arguments: {},
      outcome: 'success',
      durationMs: 1,
    });
    expect((await audit.query({ limit: 10 })).map((event) => event.id)).toEqual(['a1']);
    await audit.close();
    expect(existsSync(file)).toBe(true);
    const reopened = new SqliteAuditStore(file);
    expect(await reopened.query({ limit: 10 })).toHaveLength(1);
    await reopened.close();
  });
});

describe('store configuration (sqlite)', () => {
  it('defaults to SQLite in <dataDir>/control-plane.sqlite', () => {
    expect(resolveStoreConfig({}, '/var/lib/plane')).toEqual({ backend: 'sqlite', file: '/var/lib/plane/control-plane.sqlite' });
    expect(resolveStoreConfig({ PLANE_STORE: 'sqlite', PLANE_DATABASE_URL: 'ignored' }, 'data')).toEqual({
      backend: 'sqlite',
      file: 'data/control-plane.sqlite',
    });
    expect(describeStoreConfig({ backend: 'sqlite', file: 'data/control-plane.sqlite' })).toBe('sqlite data/control-plane.sqlite');
  });

  it('refuses an unknown PLANE_STORE, naming the variable', () => {
    expect(() => resolveStoreConfig({ PLANE_STORE: 'mysql' }, 'data')).toThrow(ConfigError);
    expect(() => resolveStoreConfig({ PLANE_STORE: 'mysql' }, 'data')).toThrow(/PLANE_STORE: must be sqlite or postgres/);
  });

  it('creates a SQLite store from the configuration', async () => {
    const dir = tempDir();
    const store = await createResourceStore(resolveStoreConfig({}, dir));
    expect(store.backend).toBe('sqlite');
    await store.create(component('default', 'shop', 'cart'), alice);
    await store.close();
    expect(existsSync(join(dir, 'control-plane.sqlite'))).toBe(true);
  });
});
