import type { BackendConfig } from '../observability-config.js';
import { createEmbeddedBackend, type EmbeddedTelemetryBackend } from './embedded/embedded-backend.js';
import { createOpenSearchBackend } from './opensearch/index.js';
import { createPrometheusBackend } from './prometheus/prometheus-backend.js';
import type { TelemetryBackend } from './telemetry-backend.js';

/** The configured backend: the embedded SQLite store, or OpenSearch (logs, traces) with Prometheus (metrics). */
export function createTelemetryBackend(config: BackendConfig): TelemetryBackend | EmbeddedTelemetryBackend {
  if (config.kind === 'embedded') return createEmbeddedBackend({ file: config.file, retentionHours: config.retentionHours });
  const opensearch = createOpenSearchBackend(config.opensearch);
  const prometheus = createPrometheusBackend({ url: config.prometheusUrl });
  return {
    name: 'opensearch+prometheus',
    logs: opensearch.logs,
    traces: opensearch.traces,
    metrics: prometheus.metrics,
    ping: async () => (await Promise.all([opensearch.ping(), prometheus.ping()])).every(Boolean),
    close: async () => {
      await Promise.allSettled([opensearch.close(), prometheus.close()]);
    },
  };
}
