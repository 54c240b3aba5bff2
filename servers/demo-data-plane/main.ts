import { ConfigError, parseEnv } from '../../shared/config/env.js';
import { planeEnvironment } from '../../shared/config/plane-config.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { createResourceStore, describeStoreConfig, storeConfigFromEnv } from '../control-plane/store/create-store.js';
import { createOpenSearchPrometheusWriter } from '../observability-plane/backends/opensearch-prometheus-writer.js';
import { createOpenSearchBackend } from '../observability-plane/backends/opensearch/index.js';
import { resolveObservabilityConfig } from '../observability-plane/observability-config.js';
import { runUntilSignal } from '../run-until-signal.js';
import { startDemoDataPlane } from './demo-data-plane.js';

/**
 * The demo data plane as its own process (docker-compose.yml): the control plane's store from
 * PLANE_STORE / PLANE_DATABASE_URL, telemetry to OpenSearch + Prometheus from the same variables the
 * observability plane reads. `npm start` runs it in process instead (start-from-env.ts), which also
 * covers the embedded backend.
 */
await runUntilSignal('demo-data-plane', async () => {
  const { PLANE_DATA_DIR: dataDir, PLANE_LOG_LEVEL: level } = parseEnv(
    { PLANE_DATA_DIR: planeEnvironment.PLANE_DATA_DIR, PLANE_LOG_LEVEL: planeEnvironment.PLANE_LOG_LEVEL },
    process.env,
  );
  const settings = resolveObservabilityConfig(process.env, dataDir);
  if (settings.backend.kind !== 'opensearch') {
    throw new ConfigError(
      'the standalone demo data plane writes to OpenSearch + Prometheus: set PLANE_OBSERVABILITY_BACKEND=opensearch (npm start runs it in process for the embedded backend)',
    );
  }
  const logger = createLogger({ name: 'demo-data-plane', level });
  const storeConfig = storeConfigFromEnv(process.env, dataDir);
  const store = await createResourceStore(storeConfig);
  const opensearch = createOpenSearchBackend(settings.backend.opensearch);
  const writer = createOpenSearchPrometheusWriter(opensearch, settings.backend.prometheusUrl);
  // The same pace as npm start: one shopper request a second, pod metrics every 15 s.
  const plane = startDemoDataPlane({ store, writer, logger, requestsPerSecond: 1, metricsIntervalMilliseconds: 15_000 });
  logger.info(
    {
      store: describeStoreConfig(storeConfig),
      opensearch: new URL(settings.backend.opensearch.url).origin,
      prometheus: new URL(settings.backend.prometheusUrl).origin,
    },
    'demo data plane running',
  );
  return [
    {
      async close() {
        await plane.close();
        await opensearch.close();
        await store.close();
      },
    },
  ];
});
