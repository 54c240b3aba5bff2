import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

/**
 * One real Prometheus server for the whole test run (started by `test/setup/prometheus.global.ts`):
 * temp storage, a generated config without scrape targets, and the remote-write receiver on, so
 * tests push samples with explicit timestamps (servers/observability-plane/backends/prometheus/remote-write.ts)
 * instead of waiting for scrapes. No mocks: the Prometheus backend talks to a real server.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the test run's Prometheus server (remote write at `/api/v1/write`). */
    prometheusUrl: string;
  }
}

const MISSING_MESSAGE =
  'The Prometheus binary was not found. The Prometheus backend tests need a real server: run `.ci/run` ' +
  '(its setup script .ci/setup.d/30-prometheus.sh installs it) or `apt-get install prometheus` (Debian), ' +
  'or set PLANE_TEST_PROMETHEUS_BIN to a prometheus binary (2.39 or newer).';

export interface StartPrometheusOptions {
  /** Default $PLANE_TEST_PROMETHEUS_BIN, else /usr/bin/prometheus. */
  binary?: string;
  /** How long to wait for `/-/ready` (default 30 s). */
  readyTimeoutMs?: number;
  /** Extra command-line flags. */
  extraArgs?: string[];
}

export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  stop(): Promise<void>;
}

/**
 * The generated configuration: no scrape targets (data comes only through remote write), and an
 * out-of-order window so tests may write history in any order across files (Prometheus otherwise
 * refuses samples older than the newest one of a series, and samples about an hour behind the head).
 */
const CONFIG = `global:
  scrape_interval: 15s
  evaluation_interval: 15s
storage:
  tsdb:
    out_of_order_time_window: 3h
scrape_configs: []
`;

export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<RunningPrometheus> {
  const binary = options.binary ?? process.env.PLANE_TEST_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
  if (!existsSync(binary)) throw new Error(`${MISSING_MESSAGE} (looked for ${binary})`);
  const root = mkdtempSync(join(tmpdir(), 'plane-mcp-prometheus-'));
  const configFile = join(root, 'prometheus.yml');
  writeFileSync(configFile, CONFIG);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(root, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--storage.tsdb.retention.time=1d',
      '--log.level=info',
      ...(options.extraArgs ?? []),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keepLog = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8_000));
  child.stdout?.on('data', keepLog);
  child.stderr?.on('data', keepLog);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => keepLog(Buffer.from(`spawn error: ${error.message}\n`)));
  // A test run killed without teardown must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = log;
      await stop();
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return { url, stop };
      lastError = `HTTP ${response.status}`;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tail = log;
  await stop();
  throw new Error(`prometheus was not ready within ${options.readyTimeoutMs ?? 30_000} ms (${lastError}):\n${tail}`);
}

/** The run's Prometheus URL, provided by the global setup. */
export async function prometheusServerUrl(): Promise<string> {
  const { inject } = await import('vitest');
  const url = inject('prometheusUrl');
  if (!url) throw new Error('no Prometheus test server: is test/setup/prometheus.global.ts registered as a vitest globalSetup?');
  return url;
}
