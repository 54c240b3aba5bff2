import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import * as oidc from 'openid-client';
import { SCOPES } from '../shared/auth/scopes.js';
import { devClientSecret, seededScopesFor } from '../servers/identity-provider/seed.js';
import { loginAsUser } from './browser-login.js';
import type { Identity, ServerName } from './format.js';

/** Where the scenarios run: the issuer both servers trust and the servers' canonical URLs (= token audiences). */
export interface Endpoints {
  issuer: string;
  servers: Record<ServerName, URL>;
  /** A seeded client's secret; default the dev secret `<client>-secret`. */
  clientSecret?: (clientId: string) => string;
  /** A seeded person's password; default the dev password (the user name). */
  userPassword?: (user: string) => string;
}

/** The scopes each server accepts; an identity asks for those it may hold. */
export const SERVER_SCOPES: Record<ServerName, string[]> = {
  'control-plane': [SCOPES.controlPlaneRead, SCOPES.controlPlaneWrite],
  'observability-plane': [SCOPES.observabilityRead],
};

export function describeIdentity(identity: Identity): string {
  const who = 'client' in identity ? `client:${identity.client}` : `user:${identity.user}`;
  return identity.scope ? `${who} (scope ${identity.scope})` : who;
}

/**
 * Access tokens and MCP clients per identity and server, obtained the way real clients obtain them:
 * client credentials through openid-client (with the RFC 8707 `resource`), people through the
 * identity provider's login page (authorization code + PKCE). Both are cached for the run.
 */
export class Connections {
  readonly #tokens = new Map<string, Promise<string>>();
  readonly #clients = new Map<string, Promise<Client>>();
  readonly #configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(readonly endpoints: Endpoints) {}

  /** A token for `identity` whose audience is `server`. */
  token(identity: Identity, server: ServerName): Promise<string> {
    const key = `${describeIdentity(identity)}→${server}`;
    let token = this.#tokens.get(key);
    if (!token) {
      token = this.#obtainToken(identity, server);
      token.catch(() => this.#tokens.delete(key));
      this.#tokens.set(key, token);
    }
    return token;
  }

  async #obtainToken(identity: Identity, server: ServerName): Promise<string> {
    const resource = this.endpoints.servers[server].href;
    if ('client' in identity) {
      const scope = identity.scope ?? seededScopesFor(identity.client, SERVER_SCOPES[server]).join(' ');
      const configuration = await this.#configuration(identity.client);
      const tokens = await oidc.clientCredentialsGrant(configuration, { resource, ...(scope ? { scope } : {}) });
      return tokens.access_token;
    }
    const login = await loginAsUser({
      issuer: this.endpoints.issuer,
      username: identity.user,
      password: this.endpoints.userPassword?.(identity.user) ?? identity.user,
      resource,
      scope: identity.scope ?? SERVER_SCOPES[server].join(' '),
    });
    return login.tokens.access_token;
  }

  #configuration(clientId: string): Promise<oidc.Configuration> {
    let configuration = this.#configurations.get(clientId);
    if (!configuration) {
      const secret = this.endpoints.clientSecret?.(clientId) ?? devClientSecret(clientId);
      const issuer = new URL(this.endpoints.issuer);
      configuration = oidc.discovery(
        issuer,
        clientId,
        secret,
        oidc.ClientSecretBasic(secret),
        issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
      configuration.catch(() => this.#configurations.delete(clientId));
      this.#configurations.set(clientId, configuration);
    }
    return configuration;
  }

  /** A connected MCP client for `identity` on `server` (real SDK client, streamable HTTP, bearer token). */
  client(identity: Identity, server: ServerName): Promise<Client> {
    const key = `${describeIdentity(identity)}→${server}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = (async () => {
        const token = await this.token(identity, server);
        const mcp = new Client({ name: 'plane-mcp-scenarios', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
        const transport = new StreamableHTTPClientTransport(this.endpoints.servers[server], {
          authProvider: { token: async () => token },
          onInsufficientScope: 'throw',
        });
        await mcp.connect(transport);
        return mcp;
      })();
      client.catch(() => this.#clients.delete(key));
      this.#clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.allSettled(clients.map(async (client) => (await client).close()));
  }
}
