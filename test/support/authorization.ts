import { request } from 'node:http';
import * as client from 'openid-client';
import { discoverClient } from './identity.js';

/** A client registration at the provider's `/reg` (RFC 7591), answered as status and JSON body. */
export async function registerClient(
  issuer: string,
  metadata: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${issuer}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A public client registered the way the MCP assistants register one (authorization code + refresh, PKCE, no secret). */
export async function registerPublicClient(issuer: string, metadata: Record<string, unknown>): Promise<string> {
  const registered = await registerClient(issuer, {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...metadata,
  });
  if (registered.status !== 201) throw new Error(`registration refused: ${JSON.stringify(registered.body)}`);
  return String(registered.body.client_id);
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  verifier: string;
  configuration: client.Configuration;
}

/** An authorization request (PKCE S256, `resource`) for `clientId`; `extra` parameters override the defaults. */
export async function authorizationRequest(
  issuer: string,
  clientId: string,
  parameters: { redirect_uri: string; resource: string; scope: string } & Record<string, string>,
): Promise<AuthorizationRequest> {
  const configuration = await discoverClient(issuer, clientId);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(configuration, {
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...parameters,
  });
  return { url, state, verifier, configuration };
}

/** Redeem the code a sign-in ended with. */
export function redeem(request: AuthorizationRequest, redirect: URL, resource: string) {
  return client.authorizationCodeGrant(
    request.configuration,
    redirect,
    { pkceCodeVerifier: request.verifier, expectedState: request.state },
    { resource },
  );
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One HTTP request with exactly the headers given (a `Host` that differs from the address, a hostile
 * `Origin`), which `fetch` does not allow. `url` says where to connect.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString() }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
