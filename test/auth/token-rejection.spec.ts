import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The resource-server gate against a real identity provider over HTTP. Valid tokens come from the
 * provider; the deliberately broken ones are minted here, some with the provider's own key so that
 * exactly one claim is wrong.
 */
let stack: TestStack;
let providerKey: JWK;

beforeAll(async () => {
  stack = await startTestStack();
  const file = JSON.parse(readFileSync(join(stack.dataDir, 'identity-provider', 'signing-keys.json'), 'utf8')) as { keys: JWK[] };
  providerKey = file.keys[0]!;
});
afterAll(() => stack?.close());

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

async function post(url: URL, authorization?: string, body: unknown = initialize) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '', body: await response.text() };
}

async function signWithProviderKey(claims: Record<string, unknown>, options: { omitExp?: boolean } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: 'controlplane:read', client_id: 'readonly-assistant', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: providerKey.kid!, typ: 'at+jwt' })
    .setSubject('readonly-assistant')
    .setIssuer((claims.iss as string) ?? stack.issuer)
    .setAudience((claims.aud as string) ?? stack.controlPlane.url.href)
    .setIssuedAt((claims.iat as number) ?? now)
    .setJti(crypto.randomUUID());
  if (!options.omitExp) jwt.setExpirationTime((claims.exp as number) ?? now + 600);
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf as number);
  return jwt.sign(await importJWK(providerKey, 'RS256'));
}

function expectUnauthorized(
  result: { status: number; challenge: string },
  plane: 'control-plane' | 'observability-plane' = 'control-plane',
) {
  const url = plane === 'control-plane' ? stack.controlPlane.url : stack.observabilityPlane.url;
  expect(result.status).toBe(401);
  expect(result.challenge).toMatch(/^Bearer /);
  expect(result.challenge).toContain(`resource_metadata="${url.origin}/.well-known/oauth-protected-resource/mcp"`);
  // The challenge names all of the server's scopes, so clients that request exactly those can write where the policy allows.
  expect(result.challenge).toContain(
    plane === 'control-plane' ? 'scope="controlplane:read controlplane:write"' : 'scope="observability:read observability:write"',
  );
}

describe('bearer token gate', () => {
  it('accepts a client-credentials token issued for this server', async () => {
    const token = await stack.serviceToken('readonly-assistant', 'control-plane');
    const result = await post(stack.controlPlane.url, `Bearer ${token}`);
    expect(result.status).toBe(200);
  });

  it('rejects a request without a token, with a challenge that carries no error code (RFC 6750 §3.1)', async () => {
    const result = await post(stack.controlPlane.url);
    expectUnauthorized(result);
    expect(result.challenge).not.toContain('error=');
    expectUnauthorized(await post(stack.observabilityPlane.url), 'observability-plane');
  });

  it('rejects a malformed token', async () => {
    const result = await post(stack.controlPlane.url, 'Bearer not-a-jwt');
    expectUnauthorized(result);
    expect(result.challenge).toContain('error="invalid_token"');
  });

  it('rejects a token whose signature was tampered with', async () => {
    const token = await stack.serviceToken('readonly-assistant', 'control-plane');
    const [header, payload, signature] = token.split('.');
    const flipped = `${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    expectUnauthorized(await post(stack.controlPlane.url, `Bearer ${header}.${payload}.${flipped}`));
  });

  it('rejects a token whose payload was changed after signing (scope escalation)', async () => {
    const token = await stack.serviceToken('readonly-assistant', 'control-plane');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims.scope = 'controlplane:read controlplane:write';
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
    expectUnauthorized(await post(stack.controlPlane.url, `Bearer ${header}.${forged}.${signature}`));
  });

  it('rejects a token signed by a key the issuer does not publish', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ scope: 'controlplane:read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-a-published-key' })
      .setSubject('readonly-assistant')
      .setIssuer(stack.issuer)
      .setAudience(stack.controlPlane.url.href)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const result = await post(stack.controlPlane.url, `Bearer ${token}`);
    expectUnauthorized(result);
    expect(result.challenge).toContain('signing key is unknown');
  });

  it('rejects an unsigned token (alg: none)', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'admin', iss: stack.issuer, aud: stack.controlPlane.url.href, exp: now + 600, scope: 'controlplane:read' })}.`;
    expectUnauthorized(await post(stack.controlPlane.url, `Bearer ${token}`));
  });

  it('rejects HS256 signed with the issuer public key (algorithm confusion)', async () => {
    const publicKey = await importJWK({ kty: 'RSA', n: providerKey.n!, e: providerKey.e! }, 'RS256');
    const pem = await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]);
    const token = await new SignJWT({ scope: 'controlplane:read' })
      .setProtectedHeader({ alg: 'HS256', kid: providerKey.kid! })
      .setSubject('admin')
      .setIssuer(stack.issuer)
      .setAudience(stack.controlPlane.url.href)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(pem));
    expectUnauthorized(await post(stack.controlPlane.url, `Bearer ${token}`));
  });

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const result = await post(stack.controlPlane.url, `Bearer ${await signWithProviderKey({ iat: now - 7200, exp: now - 3600 })}`);
    expectUnauthorized(result);
    expect(result.challenge).toContain('token expired');
  });

  it('rejects a token that is not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    const result = await post(stack.controlPlane.url, `Bearer ${await signWithProviderKey({ nbf: now + 3600 })}`);
    expectUnauthorized(result);
    expect(result.challenge).toContain('not yet valid');
  });

  it('rejects a token from another issuer even when signed with a trusted key', async () => {
    const result = await post(stack.controlPlane.url, `Bearer ${await signWithProviderKey({ iss: 'http://127.0.0.1:1/evil' })}`);
    expectUnauthorized(result);
    expect(result.challenge).toContain('untrusted issuer');
  });

  it('rejects a token issued for the other server (audience)', async () => {
    const forObservability = await stack.serviceToken('sre-agent', 'observability-plane');
    const result = await post(stack.controlPlane.url, `Bearer ${forObservability}`);
    expectUnauthorized(result);
    expect(result.challenge).toContain('audience');
    const forControl = await stack.serviceToken('sre-agent', 'control-plane');
    expectUnauthorized(await post(stack.observabilityPlane.url, `Bearer ${forControl}`), 'observability-plane');
  });

  it('rejects a token without exp', async () => {
    const result = await post(stack.controlPlane.url, `Bearer ${await signWithProviderKey({}, { omitExp: true })}`);
    expectUnauthorized(result);
    expect(result.challenge).toMatch(/lacks the required .{0,2}exp/);
  });

  it('answers 403 insufficient_scope naming the scope when the token lacks the server scope', async () => {
    const token = await signWithProviderKey({ scope: 'observability:read' });
    const result = await post(stack.controlPlane.url, `Bearer ${token}`);
    expect(result.status).toBe(403);
    expect(result.challenge).toContain('error="insufficient_scope"');
    expect(result.challenge).toContain('scope="controlplane:read"');
    expect(result.challenge).toContain('resource_metadata=');
  });

  it('refuses a token passed in the query string', async () => {
    const token = await stack.serviceToken('readonly-assistant', 'control-plane');
    const url = new URL(stack.controlPlane.url);
    url.searchParams.set('access_token', token);
    expectUnauthorized(await post(url));
  });

  it('never writes a token to the logs', async () => {
    const token = await stack.serviceToken('readonly-assistant', 'control-plane');
    await post(stack.controlPlane.url, `Bearer ${token}`);
    await post(stack.controlPlane.url, `Bearer ${token}x`);
    const [, , signature] = token.split('.');
    expect(stack.logText()).not.toContain(signature!);
    expect(stack.logText()).not.toContain('readonly-assistant-secret');
  });
});

describe('protected resource metadata (RFC 9728)', () => {
  for (const plane of ['control-plane', 'observability-plane'] as const) {
    it(`${plane} serves it at the path-aware and the root well-known URL`, async () => {
      const url = plane === 'control-plane' ? stack.controlPlane.url : stack.observabilityPlane.url;
      for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
        const response = await fetch(new URL(path, url));
        expect(response.status).toBe(200);
        const metadata = (await response.json()) as { resource: string; authorization_servers: string[]; scopes_supported: string[] };
        expect(metadata.resource).toBe(url.href);
        expect(metadata.authorization_servers).toEqual([stack.issuer]);
        expect(metadata.scopes_supported).toContain(plane === 'control-plane' ? 'controlplane:write' : 'observability:read');
        expect(metadata.scopes_supported).not.toContain('offline_access');
      }
    });
  }
});
