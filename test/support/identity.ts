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
import { planeResources, PUBLIC_CLIENT_ID } from '../../servers/identity-provider/seed.js';
import { freePort } from './net.js';

export type TokenResponse = Awaited<ReturnType<typeof client.clientCredentialsGrant>>;

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

/** openid-client configuration for `clientId` at `issuer` (discovery over plain http is allowed: tests only). */
export function discoverClient(
  issuer: string,
  clientId: string,
  clientSecret?: string,
  auth?: client.ClientAuth,
): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), clientId, clientSecret, auth ?? (clientSecret === undefined ? client.None() : undefined), {
    execute: [client.allowInsecureRequests],
  });
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

export interface UserLoginRequest {
  issuer: string;
  /** A seeded user name (`admin`, `platform`, `dev`, `sre`, `viewer`). */
  username: string;
  /** Default: the user name (dev mode). */
  password?: string;
  resource: string;
  /** Space-separated scopes to request, e.g. `controlplane:read controlplane:write`. */
  scope: string;
  /** Default: the seeded public client `plane-mcp-public`. */
  clientId?: string;
  /** Default: a loopback callback on an arbitrary port (nothing needs to listen there). */
  redirectUri?: string;
}

export interface UserLogin {
  tokens: TokenResponse;
  /** The relying party configuration, e.g. for `client.refreshTokenGrant`. */
  configuration: client.Configuration;
}

/**
 * Log in as a user through the login page, as a browser would, and redeem the code with PKCE and the
 * `resource` parameter. Throws when the provider does not redirect back with a code.
 */
export async function loginAsUser(request: UserLoginRequest): Promise<UserLogin> {
  const clientId = request.clientId ?? PUBLIC_CLIENT_ID;
  const redirectUri = request.redirectUri ?? 'http://127.0.0.1:53682/callback';
  const configuration = await discoverClient(request.issuer, clientId);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUri,
    scope: request.scope,
    resource: request.resource,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  const outcome = await signInThroughLoginPage(authorizationUrl, {
    username: request.username,
    password: request.password ?? request.username,
  });
  if (!outcome.redirect)
    throw new Error(`sign-in did not return to the client (HTTP ${outcome.page?.status}): ${outcome.page?.html.slice(0, 300)}`);
  const tokens = await client.authorizationCodeGrant(
    configuration,
    outcome.redirect,
    { pkceCodeVerifier: codeVerifier, expectedState: state },
    { resource: request.resource },
  );
  return { tokens, configuration };
}

export interface SignInOutcome {
  /** Where the provider finally redirected the browser outside itself: the client's redirect URI with `code`/`error`. */
  redirect?: URL;
  /** The page the browser ended on instead (login form with an error, the consent page, or an error page). */
  page?: { status: number; html: string };
}

export interface SignInOptions {
  /**
   * What the person does on a consent page (clients other than `plane-mcp-public`): click Allow (the
   * default), click Deny, or stop there and return the page.
   */
  consent?: 'approve' | 'deny' | 'stop';
  /** The browser's cookies; pass one jar to several sign-ins to play the same browser. */
  jar?: CookieJar;
}

/**
 * Play the browser: follow the authorization request's redirects within the provider, keep its cookies,
 * submit the login form once with `credentials`, answer a consent page as `options.consent` says, and
 * stop at the first redirect that leaves the provider's origin or at a page it has no answer for.
 */
export async function signInThroughLoginPage(
  authorizationUrl: URL,
  credentials: { username: string; password: string },
  options: SignInOptions = {},
): Promise<SignInOutcome> {
  const jar = options.jar ?? new CookieJar();
  const origin = authorizationUrl.origin;
  let request: { url: URL; init: RequestInit } = { url: authorizationUrl, init: { method: 'GET' } };
  let signedIn = false;
  let consented = false;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(request.url, {
      ...request.init,
      redirect: 'manual',
      headers: { ...(request.init.headers as Record<string, string> | undefined), cookie: jar.header(request.url) },
    });
    jar.store(request.url, response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, request.url);
      if (next.origin !== origin) return { redirect: next };
      request = { url: next, init: { method: 'GET' } };
      continue;
    }
    const html = await response.text();
    const form = parseForm(html);
    const isConsent = form?.action.endsWith('/consent') ?? false;
    const fields = isConsent
      ? !consented && options.consent !== 'stop' && { ...form!.hidden, decision: options.consent ?? 'approve' }
      : !signedIn && form && { ...form.hidden, ...credentials };
    if (!form || !fields) return { page: { status: response.status, html } };
    if (isConsent) consented = true;
    else signedIn = true;
    request = {
      url: new URL(form.action, request.url),
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams(fields).toString(),
      },
    };
  }
  throw new Error('too many redirects during sign-in');
}

/** The first POST form of a page: its action and hidden fields (entities decoded). */
export function parseForm(html: string): { action: string; hidden: Record<string, string> } | undefined {
  const match = /<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!match) return undefined;
  const hidden: Record<string, string> = {};
  for (const input of match[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    hidden[input[1]!] = decodeEntities(input[2]!);
  return { action: decodeEntities(match[1]!), hidden };
}

function decodeEntities(text: string): string {
  return text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** The least cookie handling that a browser does for one origin: path scoping and deletion. */
export class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();

  store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', attributeValue = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = attributeValue;
        if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(attributeValue) <= Date.now()) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string {
    return [...this.#cookies.values()]
      .filter(
        (cookie) => url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`),
      )
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }
}
