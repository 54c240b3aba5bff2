import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/net.js';

/**
 * A real Keycloak for the delivery tests: the distribution of the version docker-compose.yml runs
 * (quay.io/keycloak/keycloak:<version>), unpacked under .tools/keycloak/ by .ci/setup.d/40-keycloak.sh,
 * started in dev mode on 127.0.0.1 with an in-memory database and the realm of
 * deploy/keycloak/plane-realm.json imported, exactly as the compose service imports it.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const REALM_FILE = join(REPO_ROOT, 'deploy', 'keycloak', 'plane-realm.json');
export const REALM = 'plane';

const READY_TIMEOUT_MS = Number(process.env.PLANE_TEST_KEYCLOAK_TIMEOUT_MS ?? 180_000);
const STOP_TIMEOUT_MS = 20_000;

/** The Keycloak version of docker-compose.yml's keycloak image (the one CI installs). */
export function composeKeycloakVersion(): string {
  const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const version = /^\s*image:\s*quay\.io\/keycloak\/keycloak:(\d[\d.]*)\s*$/m.exec(compose)?.[1];
  if (!version) throw new Error('docker-compose.yml names no quay.io/keycloak/keycloak:<version> image');
  return version;
}

/** The unpacked distribution, or an error saying how to get it. */
export function keycloakHome(): string {
  const version = composeKeycloakVersion();
  const home = join(REPO_ROOT, '.tools', 'keycloak', `keycloak-${version}`);
  if (!existsSync(join(home, 'bin', 'kc.sh'))) {
    throw new Error(
      `Keycloak ${version} is not installed at ${home}. Run \`bash .ci/setup.d/40-keycloak.sh\` ` +
        '(it fetches org.keycloak:keycloak-quarkus-dist from Maven Central with mvn and needs Java 17+).',
    );
  }
  return home;
}

export interface RunningKeycloak {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The realm's issuer: http://127.0.0.1:<port>/realms/plane */
  issuer: string;
  /** The last lines Keycloak printed. */
  logTail(): string;
  stop(): Promise<void>;
}

export interface StartKeycloakOptions {
  /** Environment for the realm file's placeholders (PLANE_CONTROL_PLANE_URL, PLANE_OBSERVABILITY_PLANE_URL). */
  realmEnv: Record<string, string>;
}

/**
 * `kc.sh start-dev --import-realm` on a free port. Waits (bounded) until the realm's discovery document
 * answers; on failure the error carries the tail of Keycloak's log. `stop()` ends the whole process group.
 */
export async function startKeycloak(options: StartKeycloakOptions): Promise<RunningKeycloak> {
  const home = keycloakHome();
  const importDir = join(home, 'data', 'import');
  rmSync(join(home, 'data'), { recursive: true, force: true });
  mkdirSync(importDir, { recursive: true });
  copyFileSync(REALM_FILE, join(importDir, 'plane-realm.json'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const issuer = `${url}/realms/${REALM}`;
  // --db=dev-mem: the build option .ci/setup.d/40-keycloak.sh warmed up, so no re-augmentation here.
  const child = spawn(
    join(home, 'bin', 'kc.sh'),
    ['start-dev', '--db=dev-mem', '--import-realm', '--http-host=127.0.0.1', `--http-port=${port}`],
    {
      cwd: home,
      // A small heap and C1 only: a dev server on 2 cores shared with the rest of the test run.
      env: { ...process.env, JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx512m', JAVA_OPTS_APPEND: '-XX:TieredStopAtLevel=1', ...options.realmEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: kc.sh execs java, and stop() signals the group
    },
  );
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => signal('SIGKILL');
  process.once('exit', killOnExit);
  const logTail = (lines = 40) => log.split('\n').slice(-lines).join('\n');
  const stop = async () => {
    process.off('exit', killOnExit);
    if (!hasExited) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(join(home, 'data'), { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited) {
      await stop();
      throw new Error(`Keycloak exited before it was ready (code ${child.exitCode ?? child.signalCode}). Last lines:\n${logTail()}`);
    }
    try {
      const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return { url, issuer, logTail: () => logTail(), stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
  }
  await stop();
  throw new Error(`Keycloak was not ready within ${READY_TIMEOUT_MS / 1000} s. Last lines:\n${logTail()}`);
}

/**
 * Sign a person in through Keycloak's own login form, as a browser would (cookies kept, form posted
 * once), starting from an authorization URL; returns the redirect back to the client (with `code`).
 */
export async function signInAtKeycloak(authorizationUrl: URL, credentials: { username: string; password: string }): Promise<URL> {
  const cookies = new Map<string, string>();
  const keepCookies = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const separator = pair.indexOf('=');
      if (separator > 0) cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
  };
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const page = await fetch(authorizationUrl, { redirect: 'manual', headers: { cookie: cookieHeader() } });
  keepCookies(page);
  const html = await page.text();
  const action = /<form id="kc-form-login"[^>]*\baction="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action) throw new Error(`Keycloak showed no login form (HTTP ${page.status}): ${html.slice(0, 500)}`);
  const submitted = await fetch(action.replaceAll('&amp;', '&'), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...credentials, credentialId: '' }).toString(),
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || !location) {
    throw new Error(`Keycloak did not redirect after sign-in (HTTP ${submitted.status}): ${(await submitted.text()).slice(0, 500)}`);
  }
  const redirect = new URL(location);
  if (redirect.origin === authorizationUrl.origin)
    throw new Error(`Keycloak asked for more than a password (required action?): ${location}`);
  return redirect;
}
