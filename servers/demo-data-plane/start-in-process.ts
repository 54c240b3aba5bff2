import { createLogger } from '../../shared/telemetry/logger.js';
import type { ResourceStore } from '../control-plane/store/resource-store.js';
import { createOtlpWriter } from '../observability-plane/backends/embedded/otlp-writer.js';
import { createOpenSearchPrometheusWriter } from '../observability-plane/backends/opensearch-prometheus-writer.js';
import { createOpenSearchBackend } from '../observability-plane/backends/opensearch/index.js';
import type { TelemetryWriter } from '../observability-plane/backends/telemetry-writer.js';
import type { DemoDataPlaneConfig } from './demo-data-plane-config.js';
import { startDemoDataPlane, type DemoDataPlane } from './demo-data-plane.js';

/**
 * `npm start` wiring: the demo data plane on the control plane's open store, writing to the configured
 * observability backend — the embedded store over its OTLP/HTTP ingest, or OpenSearch + Prometheus.
 * With the embedded backend and ingest off (PLANE_OTLP_ENABLED=false) it still runs deployments and
 * builds, but its telemetry is discarded (said once in the log).
 */
export function startDemoDataPlaneInProcess(options: {
  config: DemoDataPlaneConfig;
  /** The control plane's store: desired state is read from it and status reported to it. */
  store: ResourceStore;
  /** The embedded store's OTLP/HTTP ingest, when the observability plane runs one. */
  otlp?: { url: string; token: string };
}): DemoDataPlane {
  const { config } = options;
  const logger = createLogger({ name: 'demo-data-plane', level: config.logLevel });
  let writer: TelemetryWriter;
  let release: (() => Promise<void>) | undefined;
  if (config.telemetry.kind === 'opensearch') {
    const opensearch = createOpenSearchBackend(config.telemetry.opensearch);
    writer = createOpenSearchPrometheusWriter(opensearch, config.telemetry.prometheusUrl);
    release = () => opensearch.close();
  } else if (options.otlp) {
    writer = createOtlpWriter(options.otlp.url, options.otlp.token);
  } else {
    logger.warn('demo data plane: OTLP ingest is off (PLANE_OTLP_ENABLED=false), so its logs, traces and metrics are discarded');
    writer = { writeLogs: async () => undefined, writeSpans: async () => undefined, writePodSamples: async () => undefined };
  }
  const plane = startDemoDataPlane({
    store: options.store,
    writer,
    logger,
    requestsPerSecond: config.requestsPerSecond,
    metricsIntervalMilliseconds: config.metricsIntervalMilliseconds,
  });
  return {
    tick: () => plane.tick(),
    async close() {
      await plane.close();
      await release?.();
    },
  };
}
