import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import * as z from 'zod';
import { authDisabledBindError, isLoopbackHost } from '../auth/auth-disabled.js';
import { parseKeyValueList, type TracingConfig } from '../telemetry/tracing.js';
import { booleanFlag, commaList, ConfigError, httpUrl, parseEnv, positiveInt } from './env.js';

export type PlaneName = 'control-plane' | 'observability-plane';

/** Everything a plane server needs, resolved from environment variables and CLI flags (flags win). */
export interface PlaneConfig {
  plane: PlaneName;
  /** The OIDC issuer whose tokens are accepted. */
  issuer: string;
  /** This server's canonical MCP URL; also the token audience. */
  canonicalUrl: URL;
  /** The other plane's canonical URL (the embedded provider must know both audiences). */
  peerUrl: URL;
  bindHost: string;
  port: number;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  dataDir: string;
  policyDir: string;
  groupsClaim: string;
  tokenAlgorithms: string[];
  clockToleranceSeconds: number;
  logLevel: string;
  toolsets?: string[];
  readOnly: boolean;
  noDestructive: boolean;
  /**
   * Development switch (`PLANE_AUTH_DISABLED`, `--auth-disabled`): no token needed, every request acts as the
   * fixed local subject (`shared/auth/auth-disabled.ts`). Only accepted with a loopback `bindHost`.
   */
  authDisabled: boolean;
  /** OpenTelemetry traces of the server itself (`PLANE_OTEL_TRACES_ENDPOINT`); absent = off. */
  tracing?: TracingConfig;
}

const DEFAULT_URLS: Record<PlaneName, string> = {
  'control-plane': 'http://localhost:8080/mcp',
  'observability-plane': 'http://localhost:8081/mcp',
};

/** The variable that moves each plane's listening port (named when the port is taken). */
export const PORT_VARIABLES: Record<PlaneName, string> = {
  'control-plane': 'PLANE_CONTROL_PLANE_PORT',
  'observability-plane': 'PLANE_OBSERVABILITY_PLANE_PORT',
};

/** The variables every plane reads; README's configuration table lists the same names. */
export const planeEnvironment = {
  PLANE_ISSUER: httpUrl.default('http://localhost:8090'),
  PLANE_CONTROL_PLANE_URL: httpUrl.default(DEFAULT_URLS['control-plane']),
  PLANE_OBSERVABILITY_PLANE_URL: httpUrl.default(DEFAULT_URLS['observability-plane']),
  PLANE_BIND_HOST: z.string().min(1).default('127.0.0.1'),
  PLANE_ALLOWED_HOSTS: commaList.optional(),
  PLANE_ALLOWED_ORIGINS: commaList.optional(),
  PLANE_DATA_DIR: z.string().min(1).default('./data'),
  PLANE_POLICY_DIR: z.string().min(1).default('./policies'),
  PLANE_GROUPS_CLAIM: z.string().min(1).default('groups'),
  PLANE_TOKEN_ALGORITHMS: commaList
    .pipe(z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])).min(1))
    .default(['RS256', 'PS256', 'ES256', 'EdDSA']),
  PLANE_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  PLANE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PLANE_CONTROL_PLANE_TOOLSETS: commaList.optional(),
  PLANE_OBSERVABILITY_PLANE_TOOLSETS: commaList.optional(),
  PLANE_READ_ONLY: booleanFlag.default(false),
  PLANE_NO_DESTRUCTIVE: booleanFlag.default(false),
  PLANE_CONTROL_PLANE_PORT: positiveInt.optional(),
  PLANE_OBSERVABILITY_PLANE_PORT: positiveInt.optional(),
  PLANE_AUTH_DISABLED: booleanFlag.default(false),
  PLANE_OTEL_TRACES_ENDPOINT: httpUrl.optional(),
  PLANE_OTEL_TRACES_HEADERS: z.string().optional(),
  PLANE_OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
};

/** Resolve a plane's configuration. Pure: tests pass their own argv and env. */
export function resolvePlaneConfig(plane: PlaneName, argv: string[], env: NodeJS.ProcessEnv): PlaneConfig {
  const vars = parseEnv(planeEnvironment, env);
  const { values: flags } = parseArgs({
    args: argv,
    options: {
      toolsets: { type: 'string' },
      'read-only': { type: 'boolean' },
      'no-destructive': { type: 'boolean' },
      'auth-disabled': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const isControlPlane = plane === 'control-plane';
  const canonicalUrl = new URL(isControlPlane ? vars.PLANE_CONTROL_PLANE_URL : vars.PLANE_OBSERVABILITY_PLANE_URL);
  const peerUrl = new URL(isControlPlane ? vars.PLANE_OBSERVABILITY_PLANE_URL : vars.PLANE_CONTROL_PLANE_URL);
  if (canonicalUrl.href === peerUrl.href) {
    throw new ConfigError('PLANE_CONTROL_PLANE_URL and PLANE_OBSERVABILITY_PLANE_URL must differ: each is a distinct token audience');
  }
  const port =
    (isControlPlane ? vars.PLANE_CONTROL_PLANE_PORT : vars.PLANE_OBSERVABILITY_PLANE_PORT) ??
    Number(canonicalUrl.port || (canonicalUrl.protocol === 'https:' ? 443 : 80));
  const authDisabled = flags['auth-disabled'] ?? vars.PLANE_AUTH_DISABLED;
  if (authDisabled && !isLoopbackHost(vars.PLANE_BIND_HOST)) throw new ConfigError(authDisabledBindError(vars.PLANE_BIND_HOST));
  const tracing = tracingConfig(vars);
  const toolsets =
    flags.toolsets !== undefined
      ? commaList.parse(flags.toolsets)
      : isControlPlane
        ? vars.PLANE_CONTROL_PLANE_TOOLSETS
        : vars.PLANE_OBSERVABILITY_PLANE_TOOLSETS;
  return {
    plane,
    issuer: vars.PLANE_ISSUER,
    canonicalUrl,
    peerUrl,
    bindHost: vars.PLANE_BIND_HOST,
    port,
    ...(vars.PLANE_ALLOWED_HOSTS ? { allowedHosts: vars.PLANE_ALLOWED_HOSTS } : {}),
    ...(vars.PLANE_ALLOWED_ORIGINS ? { allowedOrigins: vars.PLANE_ALLOWED_ORIGINS } : {}),
    dataDir: resolve(vars.PLANE_DATA_DIR),
    policyDir: resolve(vars.PLANE_POLICY_DIR),
    groupsClaim: vars.PLANE_GROUPS_CLAIM,
    tokenAlgorithms: vars.PLANE_TOKEN_ALGORITHMS,
    clockToleranceSeconds: vars.PLANE_CLOCK_TOLERANCE_SECONDS,
    logLevel: vars.PLANE_LOG_LEVEL,
    ...(toolsets ? { toolsets } : {}),
    readOnly: flags['read-only'] ?? vars.PLANE_READ_ONLY,
    noDestructive: flags['no-destructive'] ?? vars.PLANE_NO_DESTRUCTIVE,
    authDisabled,
    ...(tracing ? { tracing } : {}),
  };
}

/** `PLANE_OTEL_TRACES_*`: header values are secrets, so errors name the variable and the entry, never the value. */
function tracingConfig(vars: {
  PLANE_OTEL_TRACES_ENDPOINT?: string | undefined;
  PLANE_OTEL_TRACES_HEADERS?: string | undefined;
  PLANE_OTEL_RESOURCE_ATTRIBUTES?: string | undefined;
}): TracingConfig | undefined {
  if (vars.PLANE_OTEL_TRACES_ENDPOINT === undefined) {
    for (const name of ['PLANE_OTEL_TRACES_HEADERS', 'PLANE_OTEL_RESOURCE_ATTRIBUTES'] as const) {
      if (vars[name] !== undefined)
        throw new ConfigError(`${name} is set but PLANE_OTEL_TRACES_ENDPOINT is not: tracing is off without an endpoint`);
    }
    return undefined;
  }
  const endpoint = new URL(vars.PLANE_OTEL_TRACES_ENDPOINT);
  // Like OTEL_EXPORTER_OTLP_TRACES_ENDPOINT the URL is used as given; a bare origin gets the OTLP/HTTP path.
  if (endpoint.pathname === '/' || endpoint.pathname === '') endpoint.pathname = '/v1/traces';
  const list = (name: 'PLANE_OTEL_TRACES_HEADERS' | 'PLANE_OTEL_RESOURCE_ATTRIBUTES') => {
    try {
      return parseKeyValueList(vars[name] ?? '');
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`);
    }
  };
  return {
    endpoint: endpoint.href,
    headers: list('PLANE_OTEL_TRACES_HEADERS'),
    resourceAttributes: list('PLANE_OTEL_RESOURCE_ATTRIBUTES'),
  };
}
