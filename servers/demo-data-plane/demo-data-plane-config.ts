import { parseEnv } from '../../shared/config/env.js';
import { planeEnvironment } from '../../shared/config/plane-config.js';
import { resolveStoreConfig, type StoreConfig } from '../control-plane/store/create-store.js';
import { resolveObservabilityConfig, type BackendConfig } from '../observability-plane/observability-config.js';
import { resolve } from 'node:path';

/** What the simulated data plane needs, resolved before anything starts. */
export interface DemoDataPlaneConfig {
  logLevel: string;
  /** The control plane's store, for the standalone process (`npm start` shares the control plane's open store). */
  store: StoreConfig;
  /** The observability backend it writes to: OpenSearch + Prometheus, or the embedded store (through its OTLP ingest). */
  telemetry: BackendConfig;
  /** The demo's pace: one shopper request a second and a 15 s scrape keep the embedded store near 0.5 GB a day. */
  requestsPerSecond: number;
  metricsIntervalMilliseconds: number;
}

/** The demo data plane's configuration from the same variables the servers read. Pure; a bad value throws a `ConfigError` naming it. */
export function resolveDemoDataPlaneConfig(env: NodeJS.ProcessEnv): DemoDataPlaneConfig {
  const vars = parseEnv({ PLANE_DATA_DIR: planeEnvironment.PLANE_DATA_DIR, PLANE_LOG_LEVEL: planeEnvironment.PLANE_LOG_LEVEL }, env);
  const dataDir = resolve(vars.PLANE_DATA_DIR);
  return {
    logLevel: vars.PLANE_LOG_LEVEL,
    store: resolveStoreConfig(env, dataDir),
    telemetry: resolveObservabilityConfig(env, dataDir).backend,
    requestsPerSecond: 1,
    metricsIntervalMilliseconds: 15_000,
  };
}
