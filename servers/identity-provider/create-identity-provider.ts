import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import express from 'express';
import type Koa from 'koa';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { hostAllowList, rejectForeignHosts } from '../../shared/http/dns-rebinding.js';
import { listen } from '../../shared/http/listen.js';
import { createConsentsRoutes } from './consents-page.js';
import { loadOrCreateCookieKeys } from './cookie-keys.js';
import { createFileAdapter } from './file-adapter.js';
import { oauthFallbacks, sendOAuthError } from './http-errors.js';
import { createInteractionRoutes } from './login-page.js';
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, type IdentityProviderOptions, type RunningIdentityProvider } from './options.js';
import { createProviderConfiguration } from './provider-configuration.js';
import { DEFAULT_REDIRECT_POLICY, parseRedirectPolicy } from './registration-policy.js';
import { RememberedConsents } from './remembered-consents.js';
import { loadOrCreateSigningKeys } from './signing-keys.js';

export type { IdentityProviderOptions, ProtectedResource, RunningIdentityProvider } from './options.js';
export { resolveIdentityProviderConfig } from './identity-provider-config.js';

type Log = NonNullable<IdentityProviderOptions['log']>;

/**
 * Start the embedded dev-mode OpenID Connect / OAuth 2.1 authorization server (oidc-provider) on the
 * issuer's port: authorization code + PKCE with a login page and a consent page, dynamic client
 * registration (redirect policy, switchable), client credentials, refresh tokens, and RS256 JWT access
 * tokens bound to one of `options.resources`. Every route checks Host and Origin first.
 */
export async function startIdentityProvider(options: IdentityProviderOptions): Promise<RunningIdentityProvider> {
  const issuer = parseIssuer(options.issuer);
  if (options.resources.length === 0) throw new TypeError('identity provider: at least one protected resource is required');
  const log: Log = options.log ?? (() => {});
  const directory = join(options.dataDir, 'identity-provider');
  const [signingKeys, cookieKeys, adapter] = await Promise.all([
    loadOrCreateSigningKeys(directory),
    loadOrCreateCookieKeys(directory),
    createFileAdapter(join(directory, 'state.json')),
  ]);

  const consents = new RememberedConsents(adapter('RememberedConsent'));
  const provider = new Provider(
    options.issuer,
    createProviderConfiguration({
      resources: options.resources,
      clientSecrets: options.clientSecrets ?? {},
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
      signingKeys,
      cookieKeys,
      adapter,
      registration: options.registration ?? { enabled: true, redirectPolicy: parseRedirectPolicy(DEFAULT_REDIRECT_POLICY) },
      consents,
    }),
  );
  // The provider is reached directly, never through a TLS-terminating proxy: ignore X-Forwarded-*.
  provider.proxy = false;
  provider.use(answerUnknownRoutes);
  logProviderEvents(provider, log);

  const host = options.host ?? '127.0.0.1';
  const allowList = hostAllowList({
    bindHost: host,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  });
  if (!allowList.hosts)
    log('identity provider: non-loopback bind without PLANE_ALLOWED_HOSTS: any Host header is accepted', { bind: host });
  const formKey = createHmac('sha256', cookieKeys[0]!).update('plane-mcp identity provider form tokens').digest('base64url');
  const pages = { provider, resources: options.resources, consents, formKey, log };
  const app = express();
  app.disable('x-powered-by');
  app.use(rejectForeignHosts(allowList, (res, status, message) => sendOAuthError(res, status, 'invalid_request', message)));
  app.use(createInteractionRoutes(pages));
  app.use(createConsentsRoutes(pages));
  app.use(provider.callback());
  app.use(...oauthFallbacks(log));

  const port = issuer.port === '' ? (issuer.protocol === 'https:' ? 443 : 80) : Number(issuer.port);
  // The issuer names the port, so moving the provider means changing PLANE_ISSUER.
  const listener = await listen(app, { host, port, portVariable: 'PLANE_ISSUER' });
  log('identity provider listening', { issuer: options.issuer, host, port: listener.port });

  return {
    issuer: options.issuer,
    jwksUri: `${options.issuer}${provider.pathFor('jwks')}`,
    close: () => listener.close(),
  };
}

/** The issuer must be an http(s) origin without path, query, fragment or trailing slash: it is compared verbatim. */
function parseIssuer(issuer: string): URL {
  const url = URL.parse(issuer);
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    issuer !== url.origin
  ) {
    throw new TypeError(`identity provider: issuer must be an http(s) origin such as http://localhost:8090, got "${issuer}"`);
  }
  return url;
}

/** A route oidc-provider does not know gets an OAuth-shaped 404 (koa's default is a plain-text page). */
async function answerUnknownRoutes(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  await next();
  if (ctx.status === 404 && ctx.body === undefined) {
    ctx.status = 404;
    ctx.set('cache-control', 'no-store');
    ctx.body = { error: 'invalid_request', error_description: 'unrecognized route' };
  }
}

/** What the provider did, for the operator: client ids, grant types and error codes only, never a token or secret. */
function logProviderEvents(provider: Provider, log: Log): void {
  const clientIdOf = (ctx: KoaContextWithOIDC) => ctx.oidc?.client?.clientId;
  provider.on('server_error', (ctx, error) => {
    log('identity provider: server error', { route: ctx.oidc?.route, error: error.message });
  });
  provider.on('grant.success', (ctx) => {
    log('identity provider: token issued', { clientId: clientIdOf(ctx), grantType: ctx.oidc.params?.grant_type });
  });
  const refused = (ctx: KoaContextWithOIDC, error: Error & { error?: string; error_description?: string }) => {
    log('identity provider: request refused', {
      route: ctx.oidc?.route,
      clientId: clientIdOf(ctx),
      error: error.error ?? error.message,
      description: error.error_description,
    });
  };
  provider.on('grant.error', refused);
  provider.on('authorization.error', refused);
  provider.on('registration_create.success', (ctx, client) => {
    log('identity provider: client registered', { clientId: client.clientId, redirectUris: client.redirectUris });
  });
}
