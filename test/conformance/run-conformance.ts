/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, a pinned devDependency) in
 * `server` mode against both plane servers, started in this process with authentication disabled on
 * loopback (the suite sends no credentials), with the baseline `expected-failures.yaml`.
 *
 *   npx tsx test/conformance/run-conformance.ts       # prints the summary, exits non-zero on a regression or stale baseline entry
 *
 * The suite needs Node >= 22; on Node 20 a Node 24 binary is fetched from the npm registry (node-runtime.ts).
 * `conformance.spec.ts` runs the same thing under `npm test`.
 */
import { resolveControlPlaneConfig } from '../../servers/control-plane/control-plane-config.js';
import { resolveObservabilityPlaneConfig } from '../../servers/observability-plane/observability-config.js';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { startControlPlane } from '../../servers/control-plane/control-plane.js';
import { startObservabilityPlane } from '../../servers/observability-plane/observability-plane.js';
import type { PlaneName } from '../../shared/config/plane-config.js';
import type { RunningPlane } from '../../shared/http/start-plane.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { makeTempDir, removeTempDir } from '../support/identity.js';
import { freePort } from '../support/net.js';
import { toolNode } from './node-runtime.js';

export const EXPECTED_FAILURES_FILE = fileURLToPath(new URL('./expected-failures.yaml', import.meta.url));
const require = createRequire(import.meta.url);
export const CONFORMANCE_CLI = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');

export interface AuthDisabledPlanes {
  urls: Record<PlaneName, URL>;
  running: Record<PlaneName, RunningPlane>;
  /** Every log line both servers wrote. */
  logText(): string;
  close(): Promise<void>;
}

/**
 * Both servers as `PLANE_AUTH_DISABLED=true` runs them: loopback, no issuer (PLANE_ISSUER points at a
 * closed port, proving none is contacted), demo organisation loaded, OTLP ingest and alerting off.
 */
export async function startAuthDisabledPlanes(
  options: { env?: Record<string, string>; bindingsOverlay?: string } = {},
): Promise<AuthDisabledPlanes> {
  const dataDir = makeTempDir('plane-mcp-conformance-');
  const policyDir = join(dataDir, 'policies');
  cpSync(resolve('policies'), policyDir, { recursive: true });
  if (options.bindingsOverlay) appendFileSync(join(policyDir, 'bindings.yaml'), `\n${options.bindingsOverlay}`);
  const [cpPort, opPort, closedPort] = [await freePort(), await freePort(), await freePort()];
  const env: Record<string, string> = {
    PLANE_AUTH_DISABLED: 'true',
    PLANE_BIND_HOST: '127.0.0.1',
    PLANE_ISSUER: `http://127.0.0.1:${closedPort}`,
    PLANE_CONTROL_PLANE_URL: `http://127.0.0.1:${cpPort}/mcp`,
    PLANE_OBSERVABILITY_PLANE_URL: `http://127.0.0.1:${opPort}/mcp`,
    PLANE_DATA_DIR: dataDir,
    PLANE_POLICY_DIR: policyDir,
    PLANE_OTLP_ENABLED: 'false',
    PLANE_ALERT_INTERVAL_SECONDS: '3600',
    ...options.env,
  };
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  const logger = (plane: PlaneName) => createLogger({ name: plane, level: 'info', destination });
  const started: RunningPlane[] = [];
  try {
    const controlPlane = await startControlPlane(resolveControlPlaneConfig([], env), { logger: logger('control-plane') });
    started.push(controlPlane);
    const observabilityPlane = await startObservabilityPlane(resolveObservabilityPlaneConfig([], env), {
      logger: logger('observability-plane'),
    });
    started.push(observabilityPlane);
    return {
      urls: { 'control-plane': controlPlane.url, 'observability-plane': observabilityPlane.url },
      running: { 'control-plane': controlPlane, 'observability-plane': observabilityPlane },
      logText: () => lines.join(''),
      async close() {
        await Promise.allSettled(started.map((plane) => plane.close()));
        removeTempDir(dataDir);
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((plane) => plane.close()));
    removeTempDir(dataDir);
    throw error;
  }
}

export interface ScenarioResult {
  scenario: string;
  /** Checks by status. */
  passed: number;
  failed: number;
  warnings: number;
  /** As the suite judges it against the baseline: no FAILURE and no WARNING check. */
  clean: boolean;
  /** `id: message` of each failed or warning check. */
  failures: string[];
}

export interface ConformanceRun {
  url: string;
  exitCode: number | null;
  output: string;
  scenarios: ScenarioResult[];
  /** Failed and not in the baseline: regressions. */
  unexpectedFailures: string[];
  /** In the baseline but passed: the baseline is stale. */
  staleEntries: string[];
}

/** Scenario names the baseline lists for server mode. */
export function expectedServerFailures(file = EXPECTED_FAILURES_FILE): string[] {
  const parsed = parse(readFileSync(file, 'utf8')) as { server?: unknown } | null;
  return Array.isArray(parsed?.server) ? parsed.server.map(String) : [];
}

/** Run the suite's active server scenarios against `url` with the baseline; results are parsed from its per-scenario checks.json files. */
export async function runConformance(url: URL, options: { timeoutMs?: number } = {}): Promise<ConformanceRun> {
  const node = await toolNode();
  const outputDir = makeTempDir('plane-mcp-conformance-results-');
  try {
    const { exitCode, output } = await spawnCollect(
      node,
      [CONFORMANCE_CLI, 'server', '--url', url.href, '--expected-failures', EXPECTED_FAILURES_FILE, '--output-dir', outputDir],
      { cwd: outputDir, timeoutMs: options.timeoutMs ?? 240_000 },
    );
    const scenarios = readResults(outputDir);
    const expected = new Set(expectedServerFailures());
    return {
      url: url.href,
      exitCode,
      output,
      scenarios,
      unexpectedFailures: scenarios.filter((result) => !result.clean && !expected.has(result.scenario)).map((result) => result.scenario),
      staleEntries: scenarios.filter((result) => result.clean && expected.has(result.scenario)).map((result) => result.scenario),
    };
  } finally {
    removeTempDir(outputDir);
  }
}

/** `<outputDir>/server-<scenario>-<ISO timestamp>/checks.json` → one result per scenario. */
function readResults(outputDir: string): ScenarioResult[] {
  if (!existsSync(outputDir)) return [];
  return readdirSync(outputDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry.name)?.[1];
      const file = join(outputDir, entry.name, 'checks.json');
      if (!scenario || !existsSync(file)) return [];
      const checks = JSON.parse(readFileSync(file, 'utf8')) as Array<{
        id: string;
        status: string;
        errorMessage?: string;
        details?: { message?: string };
      }>;
      const failed = checks.filter((check) => check.status === 'FAILURE');
      const warnings = checks.filter((check) => check.status === 'WARNING');
      return [
        {
          scenario,
          passed: checks.filter((check) => check.status === 'SUCCESS').length,
          failed: failed.length,
          warnings: warnings.length,
          // The suite's baseline check counts warnings as failures too.
          clean: failed.length === 0 && warnings.length === 0,
          failures: [...failed, ...warnings].map(
            (check) => `${check.status} ${check.id}: ${check.errorMessage ?? check.details?.message ?? ''}`,
          ),
        },
      ];
    })
    .sort((a, b) => a.scenario.localeCompare(b.scenario));
}

export function spawnCollect(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ exitCode: number | null; stdout: string; stderr: string; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const all: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout.push(chunk), all.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr.push(chunk), all.push(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => (clearTimeout(timer), reject(error)));
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolvePromise({
        exitCode,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        // The suite colours its summary; strip ANSI escapes so assertions and reports read plainly.
        output: Buffer.concat(all)
          .toString('utf8')
          // eslint-disable-next-line no-control-regex -- ANSI colour escapes start with ESC
          .replace(/\u001b\[[0-9;]*m/g, ''),
      });
    });
  });
}

/** The server scenarios this version of the suite knows (`conformance list --server`). */
export async function knownServerScenarios(): Promise<string[]> {
  const { exitCode, output } = await spawnCollect(await toolNode(), [CONFORMANCE_CLI, 'list', '--server'], { timeoutMs: 60_000 });
  if (exitCode !== 0) throw new Error(`conformance list failed (${exitCode}):\n${output}`);
  return [...output.matchAll(/^\s+- ([a-z0-9-]+)/gm)].map((match) => match[1]!);
}

/** Human-readable summary of one run. */
export function describeRun(plane: string, run: ConformanceRun): string {
  const expected = new Set(expectedServerFailures());
  const lines = run.scenarios.map((result) => {
    const mark = result.clean ? 'pass' : expected.has(result.scenario) ? 'expected failure' : 'FAIL';
    const detail =
      !result.clean && !expected.has(result.scenario) ? `\n${result.failures.map((failure) => `      ${failure}`).join('\n')}` : '';
    return `  ${mark.padEnd(16)} ${result.scenario}${detail}`;
  });
  return [
    `${plane} (${run.url}): suite exit code ${run.exitCode}`,
    ...lines,
    ...(run.unexpectedFailures.length ? [`  unexpected failures: ${run.unexpectedFailures.join(', ')}`] : []),
    ...(run.staleEntries.length ? [`  now passing, remove from expected-failures.yaml: ${run.staleEntries.join(', ')}`] : []),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const planes = await startAuthDisabledPlanes();
  let failed = false;
  try {
    for (const plane of ['control-plane', 'observability-plane'] as const) {
      const result = await runConformance(planes.urls[plane]);
      process.stdout.write(`${describeRun(plane, result)}\n`);
      failed ||=
        result.exitCode !== 0 || result.unexpectedFailures.length > 0 || result.staleEntries.length > 0 || result.scenarios.length === 0;
    }
  } finally {
    await planes.close();
  }
  process.exit(failed ? 1 : 0);
}
