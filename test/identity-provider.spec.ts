import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveIdentityProviderConfig } from '../servers/identity-provider/create-identity-provider.js';
import { PUBLIC_CLIENT_ID, SEEDED_SERVICE_CLIENTS } from '../servers/identity-provider/seed.js';
import {
  clientCredentialsToken,
  discoverClient,
  loginAsUser,
  makeTempDir,
  oauthErrorCode,
  removeTempDir,
  signInThroughLoginPage,
  startTestIdentityProvider,
  TEST_RESOURCES,
  type TestIdentityProvider,
} from './support/identity.js';
import { freePort } from './support/net.js';

/**
 * The embedded identity provider over HTTP, with openid-client as the relying party and the login page
 * driven by fetch. Tokens are checked the way the resource servers check them: signature against the
 * provider's JWKS, issuer, audience, type.
 */
let idp: TestIdentityProvider;
const controlPlane = TEST_RESOURCES.controlPlane;
const observabilityPlane = TEST_RESOURCES.observabilityPlane;

beforeAll(async () => {
  idp = await startTestIdentityProvider();
});
afterAll(() => idp?.close());

async function verify(token: string, audience: string, provider: { issuer: string; jwksUri: string } = idp): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(provider.jwksUri)), {
    issuer: provider.issuer,
    audience,
    algorithms: ['RS256'],
    typ: 'at+jwt',
  });
  return payload;
}

/** The OAuth `error` code of a call that must be refused. */
async function oauthError(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => expect.fail('expected the request to be refused'),
    (caught: unknown) => caught,
  );
  const code = oauthErrorCode(error);
  if (code === undefined) throw error;
  return code;
}

/** An authorization request for `clientId` with PKCE S256 and a resource; a parameter given as `undefined` is left out. */
async function authorizationUrl(parameters: Record<string, string | undefined>, clientId = PUBLIC_CLIENT_ID): Promise<URL> {
  const configuration = await discoverClient(idp.issuer, clientId);
  const defaults: Record<string, string> = {
    redirect_uri: 'http://127.0.0.1:53682/callback',
    scope: 'controlplane:read',
    resource: controlPlane,
    state: client.randomState(),
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  };
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined) delete defaults[key];
    else defaults[key] = value;
  }
  return client.buildAuthorizationUrl(configuration, defaults);
}

describe('discovery', () => {
  it.each(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'])(
    '%s advertises what MCP clients need',
    async (path) => {
      const metadata = (await (await fetch(`${idp.issuer}${path}`)).json()) as Record<string, unknown>;
      expect(metadata.issuer).toBe(idp.issuer);
      expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
      expect(metadata.registration_endpoint).toBe(`${idp.issuer}/reg`);
      expect(metadata.jwks_uri).toBe(idp.jwksUri);
      expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
      expect(metadata.scopes_supported).toEqual([
        'openid',
        'offline_access',
        'controlplane:read',
        'controlplane:write',
        'observability:read',
        'observability:write',
      ]);
      expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
      expect(metadata.response_types_supported).toEqual(['code']);
    },
  );
});

describe('client credentials', () => {
  it.each(SEEDED_SERVICE_CLIENTS.map((seeded) => [seeded.clientId, seeded.scopes]))(
    '%s gets a signed JWT bound to the resource',
    async (clientId, allowed) => {
      const scope = allowed.filter((value) => value.startsWith('controlplane:')).join(' ');
      const tokens = await clientCredentialsToken({ issuer: idp.issuer, clientId, resource: controlPlane, scope });
      expect(tokens.scope).toBe(scope);
      const claims = await verify(tokens.access_token, controlPlane);
      expect(claims).toMatchObject({ aud: controlPlane, iss: idp.issuer, sub: clientId, client_id: clientId, scope });
      expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
      expect(claims.jti).toEqual(expect.any(String));
      expect(claims).not.toHaveProperty('groups');
    },
  );

  it('accepts client_secret_post too, and binds the token to the observability plane when asked', async () => {
    const tokens = await clientCredentialsToken({
      issuer: idp.issuer,
      clientId: 'sre-agent',
      resource: observabilityPlane,
      scope: 'observability:read',
      authMethod: 'client_secret_post',
    });
    const claims = await verify(tokens.access_token, observabilityPlane);
    expect(claims.aud).toBe(observabilityPlane);
    expect(claims.scope).toBe('observability:read');
  });

  it('refuses a wrong secret with invalid_client', async () => {
    const request = {
      issuer: idp.issuer,
      clientId: 'ci-deployer',
      clientSecret: 'not-the-secret',
      resource: controlPlane,
      scope: 'controlplane:read',
    };
    expect(await oauthError(clientCredentialsToken(request))).toBe('invalid_client');
  });

  it('refuses an unknown resource, and a request that names none, with invalid_target', async () => {
    const request = { issuer: idp.issuer, clientId: 'ci-deployer', scope: 'controlplane:read' };
    expect(await oauthError(clientCredentialsToken({ ...request, resource: 'http://127.0.0.1:9999/mcp' }))).toBe('invalid_target');
    const configuration = await discoverClient(
      idp.issuer,
      'ci-deployer',
      'ci-deployer-secret',
      client.ClientSecretBasic('ci-deployer-secret'),
    );
    expect(await oauthError(client.clientCredentialsGrant(configuration, { scope: 'controlplane:read' }))).toBe('invalid_target');
  });

  it('never grants a scope outside the client allowance or the resource', async () => {
    const request = { issuer: idp.issuer, clientId: 'sre-agent', resource: controlPlane };
    expect(await oauthError(clientCredentialsToken({ ...request, scope: 'controlplane:read controlplane:write' }))).toBe('invalid_scope');
    const tokens = await clientCredentialsToken({ ...request, scope: 'controlplane:read observability:read' });
    expect(tokens.scope).toBe('controlplane:read');
    expect(decodeJwt(tokens.access_token).scope).toBe('controlplane:read');
  });
});

describe('client secret override', () => {
  let overridden: TestIdentityProvider;
  beforeAll(async () => {
    overridden = await startTestIdentityProvider({ clientSecrets: { 'ci-deployer': 'a-much-longer-override-secret' } });
  });
  afterAll(() => overridden?.close());

  it('accepts the configured secret and refuses the dev default', async () => {
    const request = { issuer: overridden.issuer, clientId: 'ci-deployer', resource: controlPlane, scope: 'controlplane:write' };
    const tokens = await clientCredentialsToken({ ...request, clientSecret: 'a-much-longer-override-secret' });
    expect((await verify(tokens.access_token, controlPlane, overridden)).sub).toBe('ci-deployer');
    expect(await oauthError(clientCredentialsToken(request))).toBe('invalid_client');
  });
});

describe('authorization code with PKCE', () => {
  it('signs a user in through the login page and issues a user token for the resource', async () => {
    const configuration = await discoverClient(idp.issuer, PUBLIC_CLIENT_ID);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: 'http://127.0.0.1:41234/callback',
      scope: 'openid controlplane:read controlplane:write',
      resource: controlPlane,
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const outcome = await signInThroughLoginPage(url, { username: 'dev', password: 'dev' });
    expect(outcome.redirect?.origin).toBe('http://127.0.0.1:41234');
    expect(outcome.redirect?.searchParams.get('code')).toEqual(expect.any(String));
    expect(outcome.redirect?.searchParams.get('iss')).toBe(idp.issuer);
    expect(outcome.redirect?.searchParams.get('state')).toBe(state);

    const tokens = await client.authorizationCodeGrant(
      configuration,
      outcome.redirect!,
      { pkceCodeVerifier: verifier, expectedState: state },
      { resource: controlPlane },
    );
    const claims = await verify(tokens.access_token, controlPlane);
    expect(claims).toMatchObject({
      sub: 'dev',
      preferred_username: 'dev',
      groups: ['developers'],
      aud: controlPlane,
      client_id: PUBLIC_CLIENT_ID,
      scope: 'controlplane:read controlplane:write',
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.claims()?.sub).toBe('dev');
  });

  it('grants only the requested scopes that the resource accepts', async () => {
    const { tokens } = await loginAsUser({
      issuer: idp.issuer,
      username: 'sre',
      resource: observabilityPlane,
      scope: 'observability:read controlplane:write',
    });
    const claims = await verify(tokens.access_token, observabilityPlane);
    expect(claims).toMatchObject({ sub: 'sre', groups: ['sre'], scope: 'observability:read' });
  });

  it('shows the same error for a wrong password and an unknown user, and issues no code', async () => {
    const wrongPassword = await signInThroughLoginPage(await authorizationUrl({}), { username: 'dev', password: 'nope' });
    const unknownUser = await signInThroughLoginPage(await authorizationUrl({}), { username: 'mallory', password: 'mallory' });
    for (const outcome of [wrongPassword, unknownUser]) {
      expect(outcome.redirect).toBeUndefined();
      expect(outcome.page?.status).toBe(400);
      expect(outcome.page?.html).toContain('Invalid user name or password.');
    }
    const strip = (html = '') => html.replace(/value="[^"]*"/, '').replace(/\/interaction\/[\w-]+/g, '');
    expect(strip(wrongPassword.page?.html)).toBe(strip(unknownUser.page?.html));
  });

  it('escapes what it echoes into the login page', async () => {
    const outcome = await signInThroughLoginPage(await authorizationUrl({}), { username: '"><script>alert(1)</script>', password: 'x' });
    expect(outcome.page?.html).not.toContain('<script>');
    expect(outcome.page?.html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it.each([
    ['no PKCE', { code_challenge: undefined, code_challenge_method: undefined }],
    ['plain PKCE', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }],
    ['no resource', { resource: undefined }],
    ['an unknown resource', { resource: 'http://127.0.0.1:9999/mcp' }],
  ])('refuses a request with %s before any sign-in', async (_label, parameters) => {
    const response = await fetch(await authorizationUrl(parameters), { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '', idp.issuer);
    expect(location.origin).toBe('http://127.0.0.1:53682');
    expect(location.searchParams.get('code')).toBeNull();
    expect(location.searchParams.get('error')).toMatch(/^invalid_(request|target)$/);
    expect(location.searchParams.get('iss')).toBe(idp.issuer);
  });

  it('refreshes: a new JWT for the same audience, and the used refresh token is rotated out', async () => {
    const { tokens, configuration } = await loginAsUser({
      issuer: idp.issuer,
      username: 'platform',
      resource: controlPlane,
      scope: 'controlplane:read',
    });
    const refreshed = await client.refreshTokenGrant(configuration, tokens.refresh_token!);
    const before = await verify(tokens.access_token, controlPlane);
    const after = await verify(refreshed.access_token, controlPlane);
    expect(after).toMatchObject({ sub: 'platform', groups: ['platform-engineers'], aud: controlPlane, scope: 'controlplane:read' });
    expect(after.jti).not.toBe(before.jti);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await oauthError(client.refreshTokenGrant(configuration, tokens.refresh_token!))).toBe('invalid_grant');
  });
});

describe('redirect URIs of the public client', () => {
  it.each([
    'cursor://anysphere.cursor-mcp/oauth/callback',
    'http://127.0.0.1:6276/oauth/callback',
    'http://localhost:6274/oauth/callback',
    'http://localhost:39999/callback',
    'http://[::1]:40001/oauth/callback',
    'http://127.0.0.1:33418/', // VS Code
    'http://127.0.0.1:19876/mcp/oauth/callback', // OpenCode
    'http://localhost:6274/oauth/callback/debug', // MCP Inspector's debug flow
  ])('accepts %s', async (redirectUri) => {
    const { tokens } = await loginAsUser({
      issuer: idp.issuer,
      username: 'viewer',
      resource: controlPlane,
      scope: 'controlplane:read',
      redirectUri,
    });
    expect((await verify(tokens.access_token, controlPlane)).sub).toBe('viewer');
  });

  it.each(['http://example.com/callback', 'http://127.0.0.1:5000/elsewhere', 'cursor://another.app/oauth/callback'])(
    'refuses %s without redirecting',
    async (redirectUri) => {
      const response = await fetch(await authorizationUrl({ redirect_uri: redirectUri }), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    },
  );
});

describe('dynamic client registration', () => {
  const register = (metadata: Partial<client.ClientMetadata>) =>
    client.dynamicClientRegistration(new URL(idp.issuer), metadata, client.None(), { execute: [client.allowInsecureRequests] });

  it('registers a native client whose loopback redirect works on any port', async () => {
    const registered = await register({
      client_name: 'Claude Code (test)',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1:1234/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    const clientId = registered.clientMetadata().client_id;
    const { tokens } = await loginAsUser({
      issuer: idp.issuer,
      username: 'admin',
      resource: controlPlane,
      scope: 'controlplane:read controlplane:write',
      clientId,
      redirectUri: 'http://127.0.0.1:5678/callback',
    });
    expect(await verify(tokens.access_token, controlPlane)).toMatchObject({
      sub: 'admin',
      groups: ['platform-admins'],
      client_id: clientId,
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const elsewhere = await fetch(await authorizationUrl({ redirect_uri: 'http://example.com:5678/callback' }, clientId), {
      redirect: 'manual',
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
  });

  it('refuses a native client with a non-loopback http redirect', async () => {
    const attempt = register({
      application_type: 'native',
      redirect_uris: ['http://example.com/callback'],
      token_endpoint_auth_method: 'none',
    });
    expect(await oauthError(attempt)).toBe('invalid_redirect_uri');
  });

  it('does not let a registered client mint service tokens', async () => {
    const registered = await register({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const { client_id: clientId, client_secret: secret } = registered.clientMetadata();
    const attempt = clientCredentialsToken({
      issuer: idp.issuer,
      clientId,
      clientSecret: String(secret),
      resource: controlPlane,
      scope: 'controlplane:read',
    });
    expect(await oauthError(attempt)).toBe('unauthorized_client');
  });
});

describe('restart with the same data directory', () => {
  let dataDir: string;
  let issuer: string;
  beforeAll(async () => {
    dataDir = makeTempDir('plane-mcp-idp-restart-');
    issuer = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => removeTempDir(dataDir));

  /** Run `before` against one provider, restart it on the same issuer and data directory, then run `after`. */
  async function acrossRestart<T>(
    before: (provider: TestIdentityProvider) => Promise<T>,
    after: (provider: TestIdentityProvider, value: T) => Promise<void>,
  ) {
    const first = await startTestIdentityProvider({ issuer, dataDir });
    const value = await before(first).finally(() => first.close());
    const second = await startTestIdentityProvider({ issuer, dataDir });
    await after(second, value).finally(() => second.close());
  }

  it('keeps the signing keys: an old token verifies against the new JWKS', async () => {
    await acrossRestart(
      () => clientCredentialsToken({ issuer, clientId: 'readonly-assistant', resource: controlPlane, scope: 'controlplane:read' }),
      async (second, tokens) => expect((await verify(tokens.access_token, controlPlane, second)).sub).toBe('readonly-assistant'),
    );
    expect(statSync(join(dataDir, 'identity-provider', 'signing-keys.json')).mode & 0o777).toBe(0o600);
  });

  it('keeps registered clients and their refresh tokens', async () => {
    await acrossRestart(
      async () => {
        const registered = await client.dynamicClientRegistration(
          new URL(issuer),
          {
            application_type: 'native',
            redirect_uris: ['http://127.0.0.1/callback'],
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
          },
          client.None(),
          { execute: [client.allowInsecureRequests] },
        );
        const clientId = registered.clientMetadata().client_id;
        const { tokens } = await loginAsUser({
          issuer,
          username: 'dev',
          resource: observabilityPlane,
          scope: 'observability:read',
          clientId,
        });
        return { clientId, refreshToken: tokens.refresh_token! };
      },
      async (second, { clientId, refreshToken }) => {
        const refreshed = await client.refreshTokenGrant(await discoverClient(issuer, clientId), refreshToken);
        expect(await verify(refreshed.access_token, observabilityPlane, second)).toMatchObject({ sub: 'dev', client_id: clientId });
      },
    );
    expect(statSync(join(dataDir, 'identity-provider', 'state.json')).mode & 0o777).toBe(0o600);
  });
});

describe('resolveIdentityProviderConfig', () => {
  it('defaults to the documented addresses and resources', () => {
    const options = resolveIdentityProviderConfig({});
    expect(options).toMatchObject({ issuer: 'http://localhost:8090', dataDir: './data', clientSecrets: {} });
    expect(options.resources.map((resource) => [resource.uri, resource.scopes])).toEqual([
      ['http://localhost:8080/mcp', ['controlplane:read', 'controlplane:write']],
      ['http://localhost:8081/mcp', ['observability:read', 'observability:write']],
    ]);
  });

  it('reads per-client secrets and the token lifetime', () => {
    const options = resolveIdentityProviderConfig({
      PLANE_CLIENT_SECRET_CI_DEPLOYER: 'ci-secret-from-the-vault',
      PLANE_ACCESS_TOKEN_TTL_SECONDS: '600',
    });
    expect(options.clientSecrets).toEqual({ 'ci-deployer': 'ci-secret-from-the-vault' });
    expect(options.accessTokenTtlSeconds).toBe(600);
  });

  it.each([
    ['PLANE_ISSUER', 'http://localhost:8090/'],
    ['PLANE_ISSUER', 'not a url'],
    ['PLANE_ACCESS_TOKEN_TTL_SECONDS', 'soon'],
    ['PLANE_CLIENT_SECRET_SRE_AGENT', 'short'],
    ['PLANE_OBSERVABILITY_PLANE_URL', 'http://localhost:8080/mcp'],
  ])('names %s when its value is bad', (variable, value) => {
    expect(() => resolveIdentityProviderConfig({ [variable]: value })).toThrow(variable);
  });
});
