import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveIdentityProviderConfig } from '../../servers/identity-provider/create-identity-provider.js';
import { parseRedirectPolicy } from '../../servers/identity-provider/registration-policy.js';
import { authorizationRequest, redeem, registerClient, registerPublicClient } from '../support/authorization.js';
import { signInThroughLoginPage, startTestIdentityProvider, TEST_RESOURCES, type TestIdentityProvider } from '../support/identity.js';

/**
 * Item 1 of the security review, registration side: dynamic client registration accepted any redirect
 * URI. Now loopback, https and the private-use schemes of known native clients only (configurable), and
 * registration can be switched off.
 */
const resource = TEST_RESOURCES.controlPlane;
const scope = 'controlplane:read controlplane:write';

describe('the default redirect policy', () => {
  let idp: TestIdentityProvider;
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
  });
  afterAll(() => idp?.close());

  it.each([
    ['web', { redirect_uris: ['http://evil.example/cb'] }],
    ['native', { application_type: 'native', redirect_uris: ['http://evil.example/cb'] }],
    ['web, one bad among good', { redirect_uris: ['http://127.0.0.1:4000/callback', 'http://192.168.1.5/cb'] }],
    ['javascript:', { application_type: 'native', redirect_uris: ['javascript:alert(1)//'] }],
    ['an unknown private-use scheme', { application_type: 'native', redirect_uris: ['evilapp://callback'] }],
  ])('refuses http on a non-loopback host and unknown schemes (%s) with invalid_redirect_uri', async (_label, metadata) => {
    const refused = await registerClient(idp.issuer, { token_endpoint_auth_method: 'none', ...metadata });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_redirect_uri');
    expect(refused.body).not.toHaveProperty('client_id');
    expect(JSON.stringify(refused.body)).not.toContain('evil');
  });

  it('refuses a non-loopback http logout redirect', async () => {
    const refused = await registerClient(idp.issuer, {
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1:4000/callback'],
      post_logout_redirect_uris: ['http://evil.example/bye'],
    });
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
  });

  // What the assistants in the README register (docs/assistant-setup-notes.md), each followed by a browser
  // login through the consent page and a code exchange.
  it.each([
    [
      'Claude Code',
      { client_name: 'Claude Code (plane-control)', redirect_uris: ['http://localhost:43117/callback'] },
      'http://localhost:43117/callback',
    ],
    ['Codex CLI', { client_name: 'Codex', redirect_uris: ['http://127.0.0.1:38211/callback'] }, 'http://127.0.0.1:38211/callback'],
    [
      'Gemini CLI',
      { client_name: 'Gemini CLI MCP Client', redirect_uris: ['http://localhost:7777/oauth/callback'] },
      'http://localhost:7777/oauth/callback',
    ],
    [
      'OpenCode',
      { client_name: 'OpenCode', redirect_uris: ['http://127.0.0.1:19876/mcp/oauth/callback'] },
      'http://127.0.0.1:19876/mcp/oauth/callback',
    ],
    [
      'MCP Inspector',
      { client_name: 'MCP Inspector', redirect_uris: ['http://127.0.0.1:6276/oauth/callback'] },
      'http://127.0.0.1:6276/oauth/callback',
    ],
    [
      'VS Code',
      {
        client_name: 'Visual Studio Code',
        application_type: 'native',
        redirect_uris: ['https://vscode.dev/redirect', 'http://127.0.0.1/', 'http://127.0.0.1:33418/'],
      },
      'http://127.0.0.1:59656/',
    ],
    [
      'Cursor',
      { client_name: 'Cursor', application_type: 'native', redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'] },
      'cursor://anysphere.cursor-mcp/oauth/callback',
    ],
    ['IPv6 loopback', { client_name: 'v6', redirect_uris: ['http://[::1]:40001/callback'] }, 'http://[::1]:40001/callback'],
  ])('registers %s and completes its browser login', async (_assistant, metadata, redirectUri) => {
    const clientId = await registerPublicClient(idp.issuer, metadata);
    const request = await authorizationRequest(idp.issuer, clientId, { redirect_uri: redirectUri, resource, scope });
    const outcome = await signInThroughLoginPage(request.url, { username: 'platform', password: 'platform' });
    expect(outcome.redirect?.href.startsWith(redirectUri)).toBe(true);
    expect((await redeem(request, outcome.redirect!, resource)).scope).toBe(scope);
  });

  it('registers an https web client (it is named on the consent page)', async () => {
    const registered = await registerClient(idp.issuer, {
      redirect_uris: ['https://tools.example.com/oauth/callback'],
      token_endpoint_auth_method: 'none',
    });
    expect(registered.status).toBe(201);
  });
});

describe('a loopback-only policy', () => {
  let idp: TestIdentityProvider;
  beforeAll(async () => {
    idp = await startTestIdentityProvider({ registration: { enabled: true, redirectPolicy: parseRedirectPolicy('loopback') } });
  });
  afterAll(() => idp?.close());

  it.each(['https://tools.example.com/cb', 'cursor://anysphere.cursor-mcp/oauth/callback'])('refuses %s', async (uri) => {
    const refused = await registerClient(idp.issuer, {
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: [uri],
    });
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_redirect_uri' } });
  });

  it('accepts loopback', async () => {
    const registered = await registerClient(idp.issuer, {
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://localhost:4000/callback'],
    });
    expect(registered.status).toBe(201);
  });
});

describe('registration switched off', () => {
  let idp: TestIdentityProvider;
  beforeAll(async () => {
    idp = await startTestIdentityProvider({ registration: { enabled: false, redirectPolicy: parseRedirectPolicy('loopback') } });
  });
  afterAll(() => idp?.close());

  it('advertises no registration endpoint and answers /reg with a JSON 404', async () => {
    const metadata = (await (await fetch(`${idp.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).not.toHaveProperty('registration_endpoint');
    const attempt = await registerClient(idp.issuer, { token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'] });
    expect(attempt.status).toBe(404);
    expect(attempt.body).toMatchObject({ error: 'invalid_request' });
  });

  it('still signs people in through the seeded public client', async () => {
    const request = await authorizationRequest(idp.issuer, 'plane-mcp-public', {
      redirect_uri: 'http://127.0.0.1:40002/callback',
      resource,
      scope,
    });
    const outcome = await signInThroughLoginPage(request.url, { username: 'dev', password: 'dev' });
    expect((await redeem(request, outcome.redirect!, resource)).scope).toBe(scope);
  });
});

describe('PLANE_DCR_* variables', () => {
  it('default to registration on with loopback, https and the known native schemes', () => {
    expect(resolveIdentityProviderConfig({}).registration).toEqual({
      enabled: true,
      redirectPolicy: { loopback: true, https: true, schemes: ['cursor:', 'vscode:', 'vscode-insiders:'] },
    });
  });

  it('read the switch and the policy', () => {
    const options = resolveIdentityProviderConfig({ PLANE_DCR_ENABLED: 'false', PLANE_DCR_REDIRECT_POLICY: 'loopback, myapp:' });
    expect(options.registration).toEqual({ enabled: false, redirectPolicy: { loopback: true, https: false, schemes: ['myapp:'] } });
  });

  it.each([
    ['PLANE_DCR_REDIRECT_POLICY', 'http'],
    ['PLANE_DCR_REDIRECT_POLICY', 'loopback,javascript:'],
    ['PLANE_DCR_REDIRECT_POLICY', ' , '],
    ['PLANE_DCR_ENABLED', 'maybe'],
  ])('name %s when its value is bad (%s)', (variable, value) => {
    expect(() => resolveIdentityProviderConfig({ [variable]: value })).toThrow(variable);
  });
});
