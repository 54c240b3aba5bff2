import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { booleanFlag, commaList, ConfigError, httpUrl, parseEnv, positiveInt } from '../../shared/config/env.js';
import { resolvePlaneConfig, type PlaneConfig } from '../../shared/config/plane-config.js';

/** Which telemetry backend serves the tools, and its connection settings. */
export type BackendConfig =
  | { kind: 'embedded'; file: string; retentionHours: number }
  | {
      kind: 'opensearch';
      opensearch: { url: string; username?: string; password?: string; logIndexPrefix: string; traceIndexPrefix: string };
      prometheusUrl: string;
    };

export interface ObservabilityConfig {
  backend: BackendConfig;
  /** OTLP/HTTP ingest for the embedded store; absent when ingest is off. */
  otlp?: { port: number; token: string };
  limits: { defaultWindowMinutes: number; maxWindowHours: number; maxResults: number };
  productionEnvironments: string[];
  alertRulesFile?: string;
  alertIntervalSeconds: number;
  incidentsFile: string;
}

/** Everything the observability-plane process needs, resolved before anything starts. */
export interface ObservabilityPlaneConfig extends PlaneConfig {
  plane: 'observability-plane';
  observability: ObservabilityConfig;
}

/** The observability plane's configuration from CLI flags and environment variables. Pure; a bad value throws a `ConfigError` naming it. */
export function resolveObservabilityPlaneConfig(argv: string[], env: NodeJS.ProcessEnv): ObservabilityPlaneConfig {
  const server = resolvePlaneConfig('observability-plane', argv, env);
  return { ...server, plane: 'observability-plane', observability: resolveObservabilityConfig(env, server.dataDir) };
}

export const DEFAULT_ALERT_RULES_FILE = fileURLToPath(new URL('./alert-rules.yaml', import.meta.url));

/** The observability plane's variables; README's configuration table lists the same names. */
export const observabilityEnvironment = {
  PLANE_OBSERVABILITY_BACKEND: z.enum(['embedded', 'opensearch'], { error: 'must be embedded or opensearch' }).default('embedded'),
  PLANE_OPENSEARCH_URL: httpUrl.optional(),
  PLANE_OPENSEARCH_USERNAME: z.string().optional(),
  PLANE_OPENSEARCH_PASSWORD: z.string().optional(),
  PLANE_OPENSEARCH_LOG_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'must be a lowercase index name prefix' })
    .default('container-logs-'),
  PLANE_OPENSEARCH_TRACE_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'must be a lowercase index name prefix' })
    .default('otel-traces-'),
  PLANE_PROMETHEUS_URL: httpUrl.optional(),
  PLANE_TELEMETRY_RETENTION_HOURS: positiveInt.max(24 * 90).default(24),
  PLANE_OTLP_ENABLED: booleanFlag.default(true),
  PLANE_OTLP_PORT: positiveInt.max(65535).default(4318),
  PLANE_OTLP_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  PLANE_DEFAULT_WINDOW_MINUTES: positiveInt.max(24 * 60).default(15),
  PLANE_MAX_WINDOW_HOURS: positiveInt.max(24 * 31).default(24),
  PLANE_MAX_RESULTS: positiveInt.max(10_000).default(500),
  PLANE_PRODUCTION_ENVIRONMENTS: commaList.default(['production']),
  PLANE_ALERT_RULES_FILE: z.string().optional(),
  PLANE_ALERT_INTERVAL_SECONDS: positiveInt.max(3600).default(30),
};

/**
 * Resolve the observability settings. Pure. With ingest on and no PLANE_OTLP_TOKEN, `otlp.token` is
 * empty and the caller generates one (persisted under the data dir; its path is logged, never the token).
 */
export function resolveObservabilityConfig(env: NodeJS.ProcessEnv, dataDir: string): ObservabilityConfig {
  const vars = parseEnv(observabilityEnvironment, env);
  let backend: BackendConfig;
  if (vars.PLANE_OBSERVABILITY_BACKEND === 'opensearch') {
    if (!vars.PLANE_OPENSEARCH_URL) throw new ConfigError('PLANE_OPENSEARCH_URL is required when PLANE_OBSERVABILITY_BACKEND=opensearch');
    if (!vars.PLANE_PROMETHEUS_URL) throw new ConfigError('PLANE_PROMETHEUS_URL is required when PLANE_OBSERVABILITY_BACKEND=opensearch');
    backend = {
      kind: 'opensearch',
      opensearch: {
        url: vars.PLANE_OPENSEARCH_URL,
        ...(vars.PLANE_OPENSEARCH_USERNAME ? { username: vars.PLANE_OPENSEARCH_USERNAME } : {}),
        ...(vars.PLANE_OPENSEARCH_PASSWORD ? { password: vars.PLANE_OPENSEARCH_PASSWORD } : {}),
        logIndexPrefix: vars.PLANE_OPENSEARCH_LOG_INDEX_PREFIX,
        traceIndexPrefix: vars.PLANE_OPENSEARCH_TRACE_INDEX_PREFIX,
      },
      prometheusUrl: vars.PLANE_PROMETHEUS_URL,
    };
  } else {
    backend = {
      kind: 'embedded',
      file: join(dataDir, 'observability-telemetry.sqlite'),
      retentionHours: vars.PLANE_TELEMETRY_RETENTION_HOURS,
    };
  }
  const otlpOn = backend.kind === 'embedded' && vars.PLANE_OTLP_ENABLED;
  return {
    backend,
    ...(otlpOn ? { otlp: { port: vars.PLANE_OTLP_PORT, token: vars.PLANE_OTLP_TOKEN ?? '' } } : {}),
    limits: {
      defaultWindowMinutes: vars.PLANE_DEFAULT_WINDOW_MINUTES,
      maxWindowHours: vars.PLANE_MAX_WINDOW_HOURS,
      maxResults: vars.PLANE_MAX_RESULTS,
    },
    productionEnvironments: vars.PLANE_PRODUCTION_ENVIRONMENTS,
    ...(vars.PLANE_ALERT_RULES_FILE !== '' ? { alertRulesFile: vars.PLANE_ALERT_RULES_FILE ?? DEFAULT_ALERT_RULES_FILE } : {}),
    alertIntervalSeconds: vars.PLANE_ALERT_INTERVAL_SECONDS,
    incidentsFile: join(dataDir, 'observability-incidents.sqlite'),
  };
}
