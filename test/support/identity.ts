/**
 * Test helpers around the embedded identity provider: free ports, temporary directories, a running
 * provider, and tokens obtained the way real clients obtain them (openid-client as the relying party,
 * the login page driven with `fetch`). No mocks: everything goes over HTTP to the real provider.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import {
  startIdentityProvider,
  type IdentityProviderOptions,
  type ProtectedResource,
  type RunningIdentityProvider,
} from '../../servers/identity-provider/create-identity-provider.js';
import { planeResources } from '../../servers/identity-provider/seed.js';
import { freePort } from './net.js';

import { discoverClient, type TokenResponse } from '../../scenarios/browser-login.js';

export {
  CookieJar,
  discoverClient,
  loginAsUser,
  parseForm,
  signInThroughLoginPage,
  type SignInOptions,
  type SignInOutcome,
  type TokenResponse,
  type UserLogin,
  type UserLoginRequest,
} from '../../scenarios/browser-login.js';

/** A fresh private directory under the OS temp dir; remove it with `removeTempDir`. */
export function makeTempDir(prefix = 'plane-mcp-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeTempDir(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}

/** Resource URIs for tests that only need audiences (nothing listens on them). */
export const TEST_RESOURCES = {
  controlPlane: 'http://127.0.0.1:8080/mcp',
  observabilityPlane: 'http://127.0.0.1:8081/mcp',
} as const;

export interface TestIdentityProvider extends RunningIdentityProvider {
  dataDir: string;
  resources: ProtectedResource[];
}

/**
 * Start the real identity provider on a free port with a temporary data directory (removed on
 * `close()` unless the caller passed its own `dataDir`). Resources default to `TEST_RESOURCES`.
 */
export async function startTestIdentityProvider(overrides: Partial<IdentityProviderOptions> = {}): Promise<TestIdentityProvider> {
  const ownsDataDir = overrides.dataDir === undefined;
  const dataDir = overrides.dataDir ?? makeTempDir('plane-mcp-idp-');
  const resources = overrides.resources ?? planeResources(TEST_RESOURCES);
  const running = await startIdentityProvider({
    issuer: `http://127.0.0.1:${await freePort()}`,
    ...overrides,
    dataDir,
    resources,
  });
  return {
    ...running,
    dataDir,
    resources,
    async close() {
      await running.close();
      if (ownsDataDir) removeTempDir(dataDir);
    },
  };
}

export interface ClientCredentialsRequest {
  issuer: string;
  clientId: string;
  /** Default: the dev secret `<client-id>-secret`. */
  clientSecret?: string;
  resource: string;
  scope?: string;
  /** Client authentication at the token endpoint; default `client_secret_basic`. */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
}

/** A client-credentials token for a seeded service client and one resource. Rejects with openid-client's error. */
export async function clientCredentialsToken(request: ClientCredentialsRequest): Promise<TokenResponse> {
  const secret = request.clientSecret ?? `${request.clientId}-secret`;
  const auth = request.authMethod === 'client_secret_post' ? client.ClientSecretPost(secret) : client.ClientSecretBasic(secret);
  const configuration = await discoverClient(request.issuer, request.clientId, secret, auth);
  const parameters: Record<string, string> = { resource: request.resource };
  if (request.scope !== undefined) parameters.scope = request.scope;
  return client.clientCredentialsGrant(configuration, parameters);
}

/**
 * The OAuth `error` code carried by an openid-client failure: the response body's `error`
 * (`ResponseBodyError`) or, on a 401 with a `WWW-Authenticate` challenge, the challenge's `error`.
 */
export function oauthErrorCode(error: unknown): string | undefined {
  if (error instanceof client.ResponseBodyError) return error.error;
  if (error instanceof client.WWWAuthenticateChallengeError) return error.cause[0]?.parameters.error;
  return undefined;
}
