import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { freePort } from './net.js';

/**
 * One real PostgreSQL server for the whole test run (started by `test/setup/postgres.global.ts`),
 * and a fresh database per test file or test on it. No mocks: the stores talk to a real server.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser connection URL of the test run's PostgreSQL server (database `postgres`). */
    postgresUrl: string;
  }
}

const MISSING_MESSAGE =
  'PostgreSQL server binaries (initdb, postgres) were not found. The PostgreSQL store tests need a real server: ' +
  'run `.ci/run` (it installs them) or `apt-get install postgresql` (Debian), or set PLANE_TEST_PG_BIN to the directory holding initdb and postgres.';

/** The directory holding `initdb` and `postgres`: $PLANE_TEST_PG_BIN, the newest /usr/lib/postgresql/<v>/bin, or PATH. */
export function findPostgresBinaries(): string {
  const candidates: string[] = [];
  if (process.env.PLANE_TEST_PG_BIN) candidates.push(process.env.PLANE_TEST_PG_BIN);
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((entry) => /^\d+(\.\d+)?$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(debianRoot, version, 'bin')));
  }
  candidates.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
  if (!found) throw new Error(MISSING_MESSAGE);
  return found;
}

export interface RunningPostgres {
  /** Superuser URL, database `postgres`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * initdb into a temp dir and start `postgres` on a free 127.0.0.1 port (unix socket in the temp dir).
 * Durability is switched off (fsync): this is a throw-away test server. PostgreSQL refuses to run as
 * root, so under root both programs run as the `postgres` user (setpriv), owning the temp dir.
 */
export async function startPostgresServer(): Promise<RunningPostgres> {
  const bin = findPostgresBinaries();
  const root = mkdtempSync(join(tmpdir(), 'plane-mcp-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const passwordFile = join(root, 'password');
  const password = randomBytes(12).toString('hex');
  mkdirSync(socketDir);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });

  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const path of [root, socketDir, passwordFile]) chownSync(path, uid, gid);
  }
  const command = (program: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', join(bin, program), ...args]]
      : [join(bin, program), args];

  const [initdb, initdbArgs] = command('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  try {
    execFileSync(initdb, initdbArgs, { cwd: root, stdio: 'pipe' });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr || String(error)}`, { cause: error });
  }

  const port = await freePort();
  const [postgres, postgresArgs] = command('postgres', [
    '-D',
    dataDir,
    '-k',
    socketDir,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=300',
  ]);
  const child = spawn(postgres, postgresArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keepLog = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8_000));
  child.stdout?.on('data', keepLog);
  child.stderr?.on('data', keepLog);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A test run killed without teardown must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // fast shutdown
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, exited, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

async function waitUntilReady(url: string, child: ChildProcess, exited: Promise<number | null>, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let lastError: unknown;
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`postgres exited with ${child.exitCode ?? child.signalCode} before accepting connections:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`postgres did not accept connections within 30 s (${String(lastError)}):\n${log()}`);
}

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** The run's server URL, provided by the global setup. */
export async function postgresServerUrl(): Promise<string> {
  const { inject } = await import('vitest');
  const url = inject('postgresUrl');
  if (!url) throw new Error('no PostgreSQL test server: is test/setup/postgres.global.ts registered as a vitest globalSetup?');
  return url;
}

/** CREATE DATABASE with a random name on the run's server, so test files (and tests) never share data. */
export async function createTestDatabase(serverUrl?: string): Promise<TestDatabase> {
  const adminUrl = serverUrl ?? (await postgresServerUrl());
  const name = `plane_test_${randomBytes(6).toString('hex')}`;
  // Default collation en-US ignoring punctuation, like glibc's en_US.UTF-8 of many production
  // databases ('a-b' sorts after 'a0' there): list order must not depend on the database's locale.
  await withClient(adminUrl, (client) =>
    client.query(
      `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-ka-shifted' LOCALE 'C'`,
    ),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Run `run` with one connection to `url`, closed afterwards. */
export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
