import { errors, type Client, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { ProtectedResource } from './options.js';
import { SEEDED_SERVICE_CLIENTS } from './seed.js';
import { SIGNING_ALGORITHM } from './signing-keys.js';

const serviceClientIds = new Set(SEEDED_SERVICE_CLIENTS.map((client) => client.clientId));

/**
 * The `features.resourceIndicators` helpers (RFC 8707): which audiences exist, and what a client may
 * get for each.
 *
 * Every access token is a JWT bound to exactly one of the configured resources. A request that names
 * no resource is refused with `invalid_target` (authorization and client-credentials requests), rather
 * than answered with a token for a default audience: a client that forgot `resource` must not receive a
 * token that a different server would accept. At the token endpoint of the code and refresh grants, the
 * resource granted at authorization is reused when the request omits it (`useGrantedResource`); when
 * several were granted, the request must pick one. So no access token without an audience is issued,
 * and the userinfo endpoint (which would need one) is disabled.
 */
export function createResourcePolicy(resources: readonly ProtectedResource[], accessTokenTtlSeconds: number) {
  const known = resources.map((resource) => resource.uri).join(', ');

  function findResource(indicator: string): ProtectedResource | undefined {
    const normalized = URL.parse(indicator)?.href;
    return resources.find((resource) => resource.uri === indicator || URL.parse(resource.uri)?.href === normalized);
  }

  return {
    enabled: true,

    defaultResource(_ctx: KoaContextWithOIDC, _client: Client, oneOf?: readonly string[]) {
      // With `oneOf` unresolved, oidc-provider answers invalid_target ("only a single resource ...").
      if (oneOf) return oneOf;
      throw new errors.InvalidTarget(`the resource parameter is required; this provider issues tokens for: ${known}`);
    },

    useGrantedResource() {
      return true;
    },

    getResourceServerInfo(ctx: KoaContextWithOIDC, indicator: string, client: Client): ResourceServer {
      const resource = findResource(indicator);
      if (!resource) {
        throw new errors.InvalidTarget(`unknown resource; this provider issues tokens for: ${known}`);
      }
      // Open dynamic registration must not become a way to mint service tokens: only the seeded
      // service clients are service accounts.
      if (isClientCredentialsRequest(ctx) && !serviceClientIds.has(client.clientId)) {
        throw new errors.UnauthorizedClient('client credentials are only issued to the pre-registered service clients');
      }
      const clientAllows = client.scope === undefined ? undefined : new Set(client.scope.split(' '));
      const scopes = resource.scopes.filter((scope) => clientAllows?.has(scope) ?? true);
      if (scopes.length === 0) {
        throw new errors.InvalidTarget(`this client may not request any scope of ${resource.uri}`);
      }
      return {
        scope: scopes.join(' '),
        audience: resource.uri,
        accessTokenFormat: 'jwt',
        accessTokenTTL: accessTokenTtlSeconds,
        jwt: { sign: { alg: SIGNING_ALGORITHM } },
      };
    },
  };
}

function isClientCredentialsRequest(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials';
}
