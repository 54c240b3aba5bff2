import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import * as z from 'zod';
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
}

const DEFAULT_URLS: Record<PlaneName, string> = {
  'control-plane': 'http://localhost:8080/mcp',
  'observability-plane': 'http://localhost:8081/mcp',
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
  const toolsets = flags.toolsets !== undefined ? commaList.parse(flags.toolsets) : isControlPlane ? vars.PLANE_CONTROL_PLANE_TOOLSETS : vars.PLANE_OBSERVABILITY_PLANE_TOOLSETS;
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
  };
}
