import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/authorization.js';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity.js';

/**
 * Item 2 of the security review: the identity provider answered any Host, so a DNS-rebinding page could
 * read its metadata and register clients. It now applies the MCP servers' Host/Origin allow-list to every
 * route, before any handler.
 */
const registration = JSON.stringify({ redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' });
const json = { 'content-type': 'application/json' };

const ROUTES: Array<[string, string, string?]> = [
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/oauth-authorization-server'],
  ['GET', '/jwks'],
  ['POST', '/reg', registration],
  ['GET', '/auth?client_id=plane-mcp-public'],
  ['POST', '/token', 'grant_type=client_credentials'],
  ['GET', '/interaction/anything'],
  ['GET', '/consents'],
  ['GET', '/no-such-route'],
];

describe('on a loopback bind', () => {
  let idp: TestIdentityProvider;
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
  });
  afterAll(() => idp?.close());

  it.each(ROUTES)('refuses %s %s for Host evil.example:8090 with a JSON 403 that names nothing', async (method, path, body) => {
    const response = await rawRequest(`${idp.issuer}${path}`, {
      method,
      headers: { host: 'evil.example:8090', ...(body?.startsWith('{') ? json : { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(body ? { body } : {}),
    });
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.text)).toMatchObject({ error: 'invalid_request' });
    expect(response.text).not.toContain('evil.example');
  });

  it('registers nothing for a foreign Host', async () => {
    const response = await rawRequest(`${idp.issuer}/reg`, {
      method: 'POST',
      headers: { host: 'evil.example', ...json },
      body: registration,
    });
    expect(response.status).toBe(403);
    expect(response.text).not.toContain('client_id');
  });

  it('refuses a browser Origin that is not loopback, and one that is null', async () => {
    for (const origin of ['http://evil.example', 'null']) {
      const response = await rawRequest(`${idp.issuer}/reg`, { method: 'POST', headers: { origin, ...json }, body: registration });
      expect(response.status, origin).toBe(403);
    }
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('answers Host %s (any port) and a loopback Origin', async (host) => {
    const port = new URL(idp.issuer).port;
    const metadata = await rawRequest(`${idp.issuer}/.well-known/openid-configuration`, { headers: { host: `${host}:${port}` } });
    expect(metadata.status).toBe(200);
    const registered = await rawRequest(`${idp.issuer}/reg`, {
      method: 'POST',
      headers: { host: `${host}:${port}`, origin: `http://${host}:6274`, ...json },
      body: registration,
    });
    expect(registered.status).toBe(201);
  });
});

describe('with PLANE_ALLOWED_HOSTS and PLANE_ALLOWED_ORIGINS', () => {
  let idp: TestIdentityProvider;
  beforeAll(async () => {
    idp = await startTestIdentityProvider({ allowedHosts: ['idp.plane.example'], allowedOrigins: ['console.plane.example'] });
  });
  afterAll(() => idp?.close());

  it('answers exactly the configured names', async () => {
    const path = `${idp.issuer}/.well-known/openid-configuration`;
    expect((await rawRequest(path, { headers: { host: 'idp.plane.example' } })).status).toBe(200);
    expect((await rawRequest(path, { headers: { host: 'localhost' } })).status).toBe(403);
    expect((await rawRequest(path, { headers: { host: 'idp.plane.example', origin: 'https://console.plane.example' } })).status).toBe(200);
    expect((await rawRequest(path, { headers: { host: 'idp.plane.example', origin: 'http://localhost:6274' } })).status).toBe(403);
  });
});
