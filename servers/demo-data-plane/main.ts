import { ConfigError } from '../../shared/config/env.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { createResourceStore, describeStoreConfig } from '../control-plane/store/create-store.js';
import { createOpenSearchPrometheusWriter } from '../observability-plane/backends/opensearch-prometheus-writer.js';
import { createOpenSearchBackend } from '../observability-plane/backends/opensearch/index.js';
import { runUntilSignal } from '../run-until-signal.js';
import { resolveDemoDataPlaneConfig } from './demo-data-plane-config.js';
import { startDemoDataPlane } from './demo-data-plane.js';

/**
 * The demo data plane as its own process (docker-compose.yml): the control plane's store from
 * PLANE_STORE / PLANE_DATABASE_URL, telemetry to OpenSearch + Prometheus from the same variables the
 * observability plane reads. `npm start` runs it in process instead (start-in-process.ts), which also
 * covers the embedded backend.
 */
await runUntilSignal('demo-data-plane', async () => {
  const config = resolveDemoDataPlaneConfig(process.env);
  const { telemetry } = config;
  if (telemetry.kind !== 'opensearch') {
    throw new ConfigError(
      'the standalone demo data plane writes to OpenSearch + Prometheus: set PLANE_OBSERVABILITY_BACKEND=opensearch (npm start runs it in process for the embedded backend)',
    );
  }
  const logger = createLogger({ name: 'demo-data-plane', level: config.logLevel });
  const store = await createResourceStore(config.store);
  const opensearch = createOpenSearchBackend(telemetry.opensearch);
  const writer = createOpenSearchPrometheusWriter(opensearch, telemetry.prometheusUrl);
  const plane = startDemoDataPlane({
    store,
    writer,
    logger,
    requestsPerSecond: config.requestsPerSecond,
    metricsIntervalMilliseconds: config.metricsIntervalMilliseconds,
  });
  logger.info(
    {
      store: describeStoreConfig(config.store),
      opensearch: new URL(telemetry.opensearch.url).origin,
      prometheus: new URL(telemetry.prometheusUrl).origin,
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
