import { join } from 'node:path';
import * as z from 'zod';
import { parseEnv } from '../../../shared/config/env.js';
import { createPostgresStore, type PostgresStoreOptions } from './postgres-store.js';
import type { ResourceStore } from './resource-store.js';
import { SqliteResourceStore } from './sqlite-store.js';

export type StoreConfig = { backend: 'sqlite'; file: string } | { backend: 'postgres'; url: string; options?: PostgresStoreOptions };

/** Open the configured store; migrations run before it is returned. */
export async function createResourceStore(config: StoreConfig): Promise<ResourceStore> {
  switch (config.backend) {
    case 'sqlite':
      return new SqliteResourceStore(config.file);
    case 'postgres':
      return createPostgresStore(config.url, config.options);
  }
}

const postgresUrl = z
  .string({ error: 'is required when PLANE_STORE=postgres' })
  .min(1, { error: 'is required when PLANE_STORE=postgres' })
  .refine(
    (value) => {
      if (!/^postgres(ql)?:\/\//.test(value)) return false;
      try {
        new URL(value);
        return true;
      } catch {
        return false;
      }
    },
    // The value is never echoed: it may carry a password.
    { error: 'must be a postgres:// or postgresql:// connection URL (for example postgresql://user:password@host:5432/plane)' },
  );

/** The variables choosing the control plane's store; README's configuration table lists the same names. */
export const storeEnvironment = {
  PLANE_STORE: z.enum(['sqlite', 'postgres'], { error: 'must be sqlite or postgres' }).default('sqlite'),
  PLANE_DATABASE_URL: z.string().optional(),
};

/**
 * The store configuration from `PLANE_STORE` and `PLANE_DATABASE_URL`. A bad value throws a
 * `ConfigError` naming the variable (and never the URL). SQLite lives in `<dataDir>/control-plane.sqlite`.
 */
export function resolveStoreConfig(env: NodeJS.ProcessEnv, dataDir: string): StoreConfig {
  const vars = parseEnv(storeEnvironment, env);
  if (vars.PLANE_STORE === 'sqlite') return { backend: 'sqlite', file: join(dataDir, 'control-plane.sqlite') };
  const { PLANE_DATABASE_URL: url } = parseEnv({ PLANE_DATABASE_URL: postgresUrl }, env);
  return { backend: 'postgres', url };
}

/** A one-line description safe for logs: the file, or the URL with any password masked. */
export function describeStoreConfig(config: StoreConfig): string {
  if (config.backend === 'sqlite') return `sqlite ${config.file}`;
  return `postgres ${redactConnectionString(config.url)}`;
}

/** `postgresql://user:***@host:5432/db`; also masks a `password=` query parameter. */
export function redactConnectionString(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}
