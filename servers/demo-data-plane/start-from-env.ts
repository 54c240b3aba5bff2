import type { PlaneConfig } from '../../shared/config/plane-config.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import type { RunningControlPlane } from '../control-plane/control-plane.js';
import { createOtlpWriter } from '../observability-plane/backends/embedded/otlp-writer.js';
import { createOpenSearchPrometheusWriter } from '../observability-plane/backends/opensearch-prometheus-writer.js';
import { createOpenSearchBackend } from '../observability-plane/backends/opensearch/index.js';
import type { TelemetryWriter } from '../observability-plane/backends/telemetry-writer.js';
import { resolveObservabilityConfig } from '../observability-plane/observability-config.js';
import type { RunningObservabilityPlane } from '../observability-plane/observability-plane.js';
import { startDemoDataPlane, type DemoDataPlane } from './demo-data-plane.js';

/**
 * `npm start` wiring: the demo data plane on the control plane's store, writing to the configured
 * observability backend — the embedded store over its OTLP/HTTP ingest, or OpenSearch + Prometheus
 * from the same PLANE_OPENSEARCH_* / PLANE_PROMETHEUS_URL variables the observability plane reads.
 * With the embedded backend and ingest off (PLANE_OTLP_ENABLED=false) it still runs deployments and
 * builds, but its telemetry is discarded (said once in the log).
 */
export function startDemoDataPlaneFromEnv(options: {
  controlPlane: RunningControlPlane;
  observabilityPlane: RunningObservabilityPlane;
  env: NodeJS.ProcessEnv;
  config: Pick<PlaneConfig, 'dataDir' | 'logLevel'>;
}): DemoDataPlane {
  const logger = createLogger({ name: 'demo-data-plane', level: options.config.logLevel });
  const settings = resolveObservabilityConfig(options.env, options.config.dataDir);
  let writer: TelemetryWriter;
  let release: (() => Promise<void>) | undefined;
  if (settings.backend.kind === 'opensearch') {
    const opensearch = createOpenSearchBackend(settings.backend.opensearch);
    writer = createOpenSearchPrometheusWriter(opensearch, settings.backend.prometheusUrl);
    release = () => opensearch.close();
  } else if (options.observabilityPlane.otlp) {
    writer = createOtlpWriter(options.observabilityPlane.otlp.url, options.observabilityPlane.otlp.token);
  } else {
    logger.warn('demo data plane: OTLP ingest is off (PLANE_OTLP_ENABLED=false), so its logs, traces and metrics are discarded');
    writer = { writeLogs: async () => undefined, writeSpans: async () => undefined, writePodSamples: async () => undefined };
  }
  // One shopper request a second and a 15 s scrape keep the embedded store near 0.5 GB a day.
  const plane = startDemoDataPlane({
    store: options.controlPlane.store,
    writer,
    logger,
    requestsPerSecond: 1,
    metricsIntervalMilliseconds: 15_000,
  });
  return {
    tick: () => plane.tick(),
    async close() {
      await plane.close();
      await release?.();
    },
  };
}
