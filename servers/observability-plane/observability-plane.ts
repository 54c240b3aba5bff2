import { SCOPES } from '../../shared/auth/scopes.js';
import { listen, type Listener } from '../../shared/http/listen.js';
import { startPlane, type PlaneDescription, type RunningPlane } from '../../shared/http/start-plane.js';
import express from 'express';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SqliteAuditStore } from '../../shared/audit/sqlite-audit-store.js';
import { loadOrCreatePrivateJson } from '../../shared/config/private-json-file.js';
import { createLogger, type Logger } from '../../shared/telemetry/logger.js';
import { AlertEvaluator } from './alerting/alert-evaluator.js';
import { loadAlertRules } from './alerting/alert-rules.js';
import { IncidentStore } from './alerting/incident-store.js';
import { createTelemetryBackend } from './backends/create-backend.js';
import { createOtlpRouter } from './backends/embedded/otlp/receiver.js';
import type { ObservabilityPlaneConfig } from './observability-config.js';
import { observabilityPlaneTools } from './tools/index.js';
import type { TelemetryBackend } from './backends/telemetry-backend.js';
import type { ObservabilityPlaneDeps } from './deps.js';

export const OBSERVABILITY_PLANE_INSTRUCTIONS =
  'Answers questions about what runs on the platform: logs, metrics, traces, alerts and incidents, scoped to what the platform policy lets you see. ' +
  'Call whoami to see what you may do.';

/** What this server is: its catalogue, scopes and adapters; `startPlane` does the rest. */
export function observabilityPlaneDescription(deps: ObservabilityPlaneDeps): PlaneDescription<ObservabilityPlaneDeps> {
  return {
    title: 'plane-mcp observability plane',
    version: '0.1.0',
    instructions: OBSERVABILITY_PLANE_INSTRUCTIONS,
    baseScope: SCOPES.observabilityRead,
    scopesSupported: [SCOPES.observabilityRead, SCOPES.observabilityWrite],
    catalogue: observabilityPlaneTools,
    deps,
    auditStore: deps.audit,
  };
}

export interface ObservabilityPlaneOptions {
  logger?: Logger;
}

export interface RunningObservabilityPlane extends RunningPlane {
  /** The OTLP/HTTP ingest base URL and token, when the embedded backend receives telemetry. */
  otlp?: { url: string; token: string };
  telemetry: TelemetryBackend;
  alerts: AlertEvaluator;
}

/** Open the backend and the incident store, start alert evaluation and OTLP ingest, and serve. */
export async function startObservabilityPlane(
  config: ObservabilityPlaneConfig,
  options: ObservabilityPlaneOptions = {},
): Promise<RunningObservabilityPlane> {
  const logger = options.logger ?? createLogger({ name: config.plane, level: config.logLevel });
  const tokenFile = join(config.dataDir, 'observability', 'otlp-token.json');
  const settings = config.observability;
  const otlpToken =
    settings.otlp && !settings.otlp.token
      ? (await loadOrCreatePrivateJson(tokenFile, parseToken, async () => ({ token: randomBytes(24).toString('base64url') }))).token
      : settings.otlp?.token;
  const telemetry = createTelemetryBackend(settings.backend);
  const incidents = new IncidentStore(settings.incidentsFile);
  const rules = settings.alertRulesFile ? loadAlertRules(settings.alertRulesFile) : [];
  const alerts = new AlertEvaluator(rules, telemetry, incidents, logger, settings.alertIntervalSeconds);
  let backendReachable = await telemetry.ping().catch(() => false);
  const pinger = setInterval(
    () =>
      void telemetry.ping().then(
        (ok) => (backendReachable = ok),
        () => (backendReachable = false),
      ),
    10_000,
  );
  pinger.unref();
  let otlpListener: Listener | undefined;
  const audit = new SqliteAuditStore(join(config.dataDir, `${config.plane}-audit.sqlite`));
  try {
    if (settings.otlp && otlpToken && 'store' in telemetry) {
      const app = express();
      app.disable('x-powered-by');
      app.use(createOtlpRouter(telemetry.store, { token: otlpToken }));
      otlpListener = await listen(app, { host: config.bindHost, port: settings.otlp.port, portVariable: 'PLANE_OTLP_PORT' });
      logger.info(
        {
          otlp: `http://${config.bindHost}:${settings.otlp.port}`,
          tokenFile: settings.otlp.token ? 'PLANE_OTLP_TOKEN' : tokenFile,
        },
        'OTLP/HTTP ingest listening',
      );
    }
    const deps: ObservabilityPlaneDeps = {
      telemetry,
      incidents,
      limits: settings.limits,
      productionEnvironments: settings.productionEnvironments,
      audit,
    };
    const running = await startPlane(
      config,
      {
        ...observabilityPlaneDescription(deps),
        isReady: () => backendReachable,
        onClose: async () => {
          clearInterval(pinger);
          await alerts.stop();
          await otlpListener?.close();
          incidents.close();
          await telemetry.close();
          await audit.close();
        },
      },
      logger,
    );
    alerts.start();
    logger.info({ backend: telemetry.name, alertRules: rules.length }, 'observability plane ready');
    return {
      ...running,
      telemetry,
      alerts,
      ...(otlpListener && otlpToken ? { otlp: { url: `http://${config.bindHost}:${otlpListener.port}`, token: otlpToken } } : {}),
    };
  } catch (error) {
    clearInterval(pinger);
    await otlpListener?.close();
    incidents.close();
    await telemetry.close();
    await audit.close();
    throw error;
  }
}

function parseToken(value: unknown): { token: string } {
  const token = (value as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token.length < 16) throw new Error('not an OTLP token file');
  return { token };
}
