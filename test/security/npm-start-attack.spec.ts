import { request } from 'node:http';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type RawResponse } from '../support/authorization.js';
import { clientCredentialsToken, loginAsUser } from '../support/identity.js';
import { connectWithToken } from '../support/mcp-client.js';
import { startNpmStart, type NpmStart } from '../support/npm-start.js';

/**
 * The review's own method, replayed against `npm start` in a separate process with NODE_ENV=development
 * (where Express's default handler prints stacks): items 5 and 6, and item 2 on the identity provider.
 * Every error of every listener we own must be a short JSON body without a stack, a server path or the
 * request, and no request body may ever reach the process output.
 */
let stack: NpmStart;
const clients: Client[] = [];
const SECRET = 'S3cr3t-in-a-truncated-body';
const truncated = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"update_release_binding","arguments":{"password":"${SECRET}"`;
const fiveMegabytes = `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(5_000_000)}"}}`;
const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
let tokens: { controlPlane: string; observabilityPlane: string };

beforeAll(async () => {
  stack = await startNpmStart({ NODE_ENV: 'development', PLANE_DEMO_DATA_PLANE: 'false', PLANE_LOG_LEVEL: 'info' });
  const token = async (resource: string, scope: string) =>
    (await clientCredentialsToken({ issuer: stack.issuer, clientId: 'ci-deployer', resource, scope })).access_token;
  tokens = {
    controlPlane: await token(stack.controlPlaneUrl, 'controlplane:read controlplane:write'),
    observabilityPlane: await token(stack.observabilityPlaneUrl, 'observability:read'),
  };
}, 120_000);
afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await stack?.stop();
});

function expectShortJsonError(response: RawResponse, status: number) {
  expect(response.status, response.text.slice(0, 200)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.text.length).toBeLessThan(400);
  expect(() => JSON.parse(response.text)).not.toThrow();
  expect(response.text).not.toMatch(/node_modules|\/work\/|\bat [\w.<]+ \(|<html|SyntaxError|PayloadTooLarge|stack/i);
  expect(response.text).not.toContain(SECRET);
}

describe.each(['control plane', 'observability plane'] as const)('%s', (plane) => {
  const url = () => (plane === 'control plane' ? stack.controlPlaneUrl : stack.observabilityPlaneUrl);
  const bearer = () => ({ authorization: `Bearer ${plane === 'control plane' ? tokens.controlPlane : tokens.observabilityPlane}` });

  it('answers a 5 MB body with JSON: 401 without a token (not read), 413 JSON-RPC with one', async () => {
    expectShortJsonError(await rawRequest(url(), { method: 'POST', headers: json, body: fiveMegabytes }), 401);
    const tooLarge = await rawRequest(url(), { method: 'POST', headers: { ...json, ...bearer() }, body: fiveMegabytes });
    expectShortJsonError(tooLarge, 413);
    expect(JSON.parse(tooLarge.text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 }, id: null });
  });

  it('answers malformed JSON with a JSON-RPC parse error (401 first without a token)', async () => {
    expectShortJsonError(await rawRequest(url(), { method: 'POST', headers: json, body: truncated }), 401);
    const malformed = await rawRequest(url(), { method: 'POST', headers: { ...json, ...bearer() }, body: truncated });
    expectShortJsonError(malformed, 400);
    expect(JSON.parse(malformed.text)).toMatchObject({ error: { code: -32700 } });
  });

  it('answers an unknown route, a wrong media type and a foreign Host with JSON', async () => {
    expectShortJsonError(await rawRequest(new URL('/no-such-route', url()).href), 404);
    expectShortJsonError(
      await rawRequest(url(), {
        method: 'POST',
        headers: { ...bearer(), 'content-type': 'text/plain', accept: json.accept },
        body: truncated,
      }),
      415,
    );
    expectShortJsonError(
      await rawRequest(url(), { method: 'POST', headers: { ...json, ...bearer(), host: 'evil.example' }, body: truncated }),
      403,
    );
  });

  it('refuses an anonymous upload before reading it: 401 arrives while the body is still being sent', async () => {
    const response = await new Promise<number>((resolve, reject) => {
      const upload = request(url(), { method: 'POST', headers: { ...json, 'content-length': String(50_000_000) } }, (answer) => {
        resolve(answer.statusCode ?? 0);
        upload.destroy();
      });
      upload.on('error', (error) => (upload.destroyed ? undefined : reject(error)));
      upload.write('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"');
      upload.write('x'.repeat(64 * 1024));
    });
    expect(response).toBe(401);
  });
});

describe('identity provider', () => {
  it.each([
    ['POST', '/token', form, `grant_type=client_credentials&pad=${'x'.repeat(5_000_000)}`, 400],
    ['POST', '/reg', { 'content-type': 'application/json' }, `{"client_name":"${SECRET}","redirect_uris":`, 400],
    ['POST', '/interaction/unknown/login', form, `username=dev&password=${SECRET}&pad=${'x'.repeat(5_000_000)}`, 400],
    ['POST', '/consents', form, `username=dev&password=${SECRET}&pad=${'x'.repeat(100_000)}`, 400],
    ['GET', '/no-such-route', {}, undefined, 404],
  ] as const)('answers %s %s with a short JSON error', async (method, path, headers, body, status) => {
    expectShortJsonError(
      await rawRequest(`${stack.issuer}${path}`, { method, headers: { ...headers }, ...(body ? { body } : {}) }),
      status,
    );
  });

  it('refuses a foreign Host on discovery and registration (DNS rebinding)', async () => {
    expectShortJsonError(
      await rawRequest(`${stack.issuer}/.well-known/openid-configuration`, { headers: { host: 'evil.example:8090' } }),
      403,
    );
    const registration = JSON.stringify({ redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' });
    expectShortJsonError(
      await rawRequest(`${stack.issuer}/reg`, {
        method: 'POST',
        headers: { host: 'evil.example:8090', 'content-type': 'application/json' },
        body: registration,
      }),
      403,
    );
  });
});

describe('the process output', () => {
  it('keeps environment variable values out of the log and the audit trail', async () => {
    const value = `${SECRET}-env-value`;
    const deployer = await connectWithToken(new URL(stack.controlPlaneUrl), tokens.controlPlane);
    clients.push(deployer);
    const updated = await deployer.callTool({
      name: 'update_release_binding',
      arguments: { namespace_name: 'default', binding_name: 'frontend-development', env: [{ key: 'DB_PASSWORD', value }] },
    });
    expect(updated.isError, JSON.stringify(updated.content)).toBeFalsy();
    const { tokens: adminTokens } = await loginAsUser({
      issuer: stack.issuer,
      username: 'admin',
      resource: stack.controlPlaneUrl,
      scope: 'controlplane:read',
    });
    const admin = await connectWithToken(new URL(stack.controlPlaneUrl), adminTokens.access_token);
    clients.push(admin);
    const audit = await admin.callTool({ name: 'query_audit_events', arguments: { tool: 'update_release_binding' } });
    const events = (audit.structuredContent as { events: Array<{ arguments: unknown }> }).events;
    expect(events[0]?.arguments).toMatchObject({ env: [{ key: 'DB_PASSWORD', value: '[redacted]' }] });
    expect(JSON.stringify(audit)).not.toContain(value);
    expect(stack.output()).not.toContain(value);
  });

  it('never contains a request body, a token or a password sent above', () => {
    const output = stack.output();
    expect(output).toContain('audit update_release_binding');
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(tokens.controlPlane);
    // Express's default handler printed body-parser errors with their `body` property and a raw-body stack.
    const leak = /.{0,200}("body":|body: '|entity\.parse\.failed|raw-body|at JSON\.parse).{0,200}/.exec(output)?.[0];
    expect(leak, leak).toBeUndefined();
  });
});
