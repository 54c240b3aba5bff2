import * as z from 'zod';
import { booleanFlag, commaList, ConfigError, httpUrl, parseEnv, positiveInt } from '../../shared/config/env.js';
import type { IdentityProviderOptions } from './options.js';
import { DEFAULT_REDIRECT_POLICY, parseRedirectPolicy, type RedirectPolicy } from './registration-policy.js';
import { planeResources, SEEDED_SERVICE_CLIENTS } from './seed.js';

/** `PLANE_CLIENT_SECRET_<CLIENT_ID_UPPER_SNAKE>`, e.g. `PLANE_CLIENT_SECRET_CI_DEPLOYER`. */
export function clientSecretVariable(clientId: string): string {
  return `PLANE_CLIENT_SECRET_${clientId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const issuerOrigin = httpUrl.refine((value) => URL.parse(value)?.origin === value, {
  error: 'must be an origin without path or trailing slash, e.g. http://localhost:8090',
});

const redirectPolicy = z
  .string()
  .default(DEFAULT_REDIRECT_POLICY)
  .transform((value, context): RedirectPolicy => {
    try {
      return parseRedirectPolicy(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const secretVariables = Object.fromEntries(
  SEEDED_SERVICE_CLIENTS.map((client) => [
    clientSecretVariable(client.clientId),
    z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  ]),
);

const identityProviderEnvironment = {
  PLANE_ISSUER: issuerOrigin.default('http://localhost:8090'),
  PLANE_DATA_DIR: z.string().min(1).default('./data'),
  PLANE_CONTROL_PLANE_URL: httpUrl.default('http://localhost:8080/mcp'),
  PLANE_OBSERVABILITY_PLANE_URL: httpUrl.default('http://localhost:8081/mcp'),
  PLANE_ACCESS_TOKEN_TTL_SECONDS: positiveInt.max(86_400, { error: 'must be at most 86400 (one day)' }).optional(),
  PLANE_BIND_HOST: z.string().min(1).default('127.0.0.1'),
  PLANE_ALLOWED_HOSTS: commaList.optional(),
  PLANE_ALLOWED_ORIGINS: commaList.optional(),
  PLANE_DCR_ENABLED: booleanFlag.default(true),
  PLANE_DCR_REDIRECT_POLICY: redirectPolicy,
  ...secretVariables,
};

/**
 * The identity provider's options from environment variables, validated with zod; a bad value throws
 * a `ConfigError` that names the variable. Pure: callers pass the environment.
 */
export function resolveIdentityProviderConfig(env: NodeJS.ProcessEnv): IdentityProviderOptions {
  const vars = parseEnv(identityProviderEnvironment, env);
  if (URL.parse(vars.PLANE_CONTROL_PLANE_URL)?.href === URL.parse(vars.PLANE_OBSERVABILITY_PLANE_URL)?.href) {
    throw new ConfigError('PLANE_CONTROL_PLANE_URL and PLANE_OBSERVABILITY_PLANE_URL must differ: each is a distinct token audience');
  }
  const byVariable: Record<string, unknown> = vars; // the secret variables' names are computed
  const clientSecrets: Record<string, string> = {};
  for (const { clientId } of SEEDED_SERVICE_CLIENTS) {
    const secret = byVariable[clientSecretVariable(clientId)];
    if (typeof secret === 'string') clientSecrets[clientId] = secret;
  }
  return {
    issuer: vars.PLANE_ISSUER,
    dataDir: vars.PLANE_DATA_DIR,
    host: vars.PLANE_BIND_HOST,
    ...(vars.PLANE_ALLOWED_HOSTS ? { allowedHosts: vars.PLANE_ALLOWED_HOSTS } : {}),
    ...(vars.PLANE_ALLOWED_ORIGINS ? { allowedOrigins: vars.PLANE_ALLOWED_ORIGINS } : {}),
    registration: { enabled: vars.PLANE_DCR_ENABLED, redirectPolicy: vars.PLANE_DCR_REDIRECT_POLICY },
    resources: planeResources({ controlPlane: vars.PLANE_CONTROL_PLANE_URL, observabilityPlane: vars.PLANE_OBSERVABILITY_PLANE_URL }),
    clientSecrets,
    ...(vars.PLANE_ACCESS_TOKEN_TTL_SECONDS === undefined ? {} : { accessTokenTtlSeconds: vars.PLANE_ACCESS_TOKEN_TTL_SECONDS }),
  };
}
