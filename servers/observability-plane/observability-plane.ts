import { SCOPES } from '../../shared/auth/scopes.js';
import type { PlaneConfig } from '../../shared/config/plane-config.js';
import { startPlane, type PlaneDescription, type RunningPlane } from '../../shared/http/start-plane.js';
import express from 'express';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AuditStore } from '../../shared/audit/audit-event.js';
import { SqliteAuditStore } from '../../shared/audit/sqlite-audit-store.js';
import { loadOrCreatePrivateJson } from '../../shared/config/private-json-file.js';
import { createLogger, type Logger } from '../../shared/telemetry/logger.js';
import { AlertEvaluator } from './alerting/alert-evaluator.js';
import { loadAlertRules } from './alerting/alert-rules.js';
import { IncidentStore } from './alerting/incident-store.js';
import { createTelemetryBackend } from './backends/create-backend.js';
import { createOtlpRouter } from './backends/embedded/otlp-receiver.js';
import { resolveObservabilityConfig } from './observability-config.js';
import { observabilityPlaneTools } from './tools/index.js';

import type { TelemetryBackend } from './backends/telemetry-backend.js';
import type { QueryLimits } from './tools/support/query-arguments.js';

/** The adapters observability tools use. */
export interface ObservabilityPlaneDeps {
  telemetry: TelemetryBackend;
  incidents: IncidentStore;
  limits: QueryLimits;
  /** Environment names treated as production by policy conditions (PLANE_PRODUCTION_ENVIRONMENTS). */
  productionEnvironments: string[];
  /** This server's audit trail (`query_audit_events`); the plane writes every call to it. */
  audit: AuditStore;
}

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
  /** Where the PLANE_OBSERVABILITY_*, PLANE_OTLP_*, PLANE_ALERT_* … variables are read from. */
  env: NodeJS.ProcessEnv;
  logger?: Logger;
}

export interface RunningObservabilityPlane extends RunningPlane {
  /** The OTLP/HTTP ingest base URL and token, when the embedded backend receives telemetry. */
  otlp?: { url: string; token: string };
  telemetry: TelemetryBackend;
  alerts: AlertEvaluator;
}

/** Open the backend and the incident store, start alert evaluation and OTLP ingest, and serve. */
export async function startObservabilityPlane(config: PlaneConfig, options: ObservabilityPlaneOptions): Promise<RunningObservabilityPlane> {
  const logger = options.logger ?? createLogger({ name: config.plane, level: config.logLevel });
  const tokenFile = join(config.dataDir, 'observability', 'otlp-token.json');
  const settings = resolveObservabilityConfig(options.env, config.dataDir);
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
  let otlpServer: Server | undefined;
  const audit = new SqliteAuditStore(join(config.dataDir, `${config.plane}-audit.sqlite`));
  try {
    if (settings.otlp && otlpToken && 'store' in telemetry) {
      const app = express();
      app.disable('x-powered-by');
      app.use(createOtlpRouter(telemetry.store, { token: otlpToken }));
      otlpServer = await new Promise<Server>((resolve, reject) => {
        const listening = app.listen(settings.otlp!.port, config.bindHost, (error?: Error) => (error ? reject(error) : resolve(listening)));
      });
      logger.info(
        {
          otlp: `http://${config.bindHost}:${settings.otlp.port}`,
          tokenFile: options.env.PLANE_OTLP_TOKEN ? 'PLANE_OTLP_TOKEN' : tokenFile,
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
          if (otlpServer) await closeServer(otlpServer);
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
      ...(otlpServer && otlpToken
        ? { otlp: { url: `http://${config.bindHost}:${(otlpServer.address() as AddressInfo).port}`, token: otlpToken } }
        : {}),
    };
  } catch (error) {
    clearInterval(pinger);
    if (otlpServer) await closeServer(otlpServer);
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

function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
