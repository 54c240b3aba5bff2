/**
 * Signing a person in the way a browser does: follow the provider's redirects with a cookie jar, fill
 * in the login form, answer the consent page, and redeem the code with PKCE and `resource`. The
 * scenario runner logs people in with it, and the tests reuse it. Everything goes over real HTTP.
 */
import * as client from 'openid-client';
import { PUBLIC_CLIENT_ID } from '../servers/identity-provider/seed.js';

export type TokenResponse = Awaited<ReturnType<typeof client.clientCredentialsGrant>>;

/** openid-client configuration for `clientId` at `issuer` (discovery over plain http is allowed: the embedded provider is http on loopback). */
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
