import type { AdapterFactory, ClientMetadata, Configuration } from 'oidc-provider';
import { findAccount, findUser, userClaims } from './accounts.js';
import { logoutSource, postLogoutSuccessSource, renderError } from './html.js';
import type { ProtectedResource } from './options.js';
import { loadExistingGrant, rememberingInteractionPolicy, type RememberedConsents } from './remembered-consents.js';
import { registrationRedirectCheck } from './registration-policy.js';
import type { RegistrationOptions } from './options.js';
import { createResourcePolicy } from './resource-policy.js';
import { devClientSecret, PUBLIC_CLIENT_ID, PUBLIC_CLIENT_REDIRECT_URIS, SEEDED_SERVICE_CLIENTS } from './seed.js';
import { SIGNING_ALGORITHM, type SigningKeySet } from './signing-keys.js';

export interface ProviderConfigurationInput {
  resources: readonly ProtectedResource[];
  clientSecrets: Readonly<Record<string, string>>;
  accessTokenTtlSeconds: number;
  signingKeys: SigningKeySet;
  cookieKeys: string[];
  /** Where registered clients, grants, refresh tokens and sessions are kept. */
  adapter: AdapterFactory;
  registration: RegistrationOptions;
  /** What people approved on the consent page, so a grant is found again in a new browser session. */
  consents: RememberedConsents;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const REFRESH_TOKEN_TTL = 14 * DAY;
const REFRESH_TOKEN_MAX_LIFETIME = 365 * DAY;

/** The oidc-provider configuration of the dev identity provider. Each choice is explained where it is made. */
export function createProviderConfiguration(input: ProviderConfigurationInput): Configuration {
  const resourceScopes = [...new Set(input.resources.flatMap((resource) => resource.scopes))];
  return {
    adapter: input.adapter,
    clients: seededClients(input.clientSecrets),
    // Resource scopes are listed with the OpenID ones so that discovery advertises them and a client's
    // registered `scope` restricts them; what a token for one resource carries is still cut down to that
    // resource's scopes (resource-policy.ts).
    scopes: ['openid', 'offline_access', ...resourceScopes],
    claims: { openid: ['sub', 'preferred_username', 'groups'] },
    findAccount,
    // A person's access token names the user and their groups; a client-credentials token names only
    // the client (`sub` = client id, set by oidc-provider).
    extraTokenClaims(_ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const user = findUser(token.accountId);
      return user ? userClaims(user) : undefined;
    },

    responseTypes: ['code'],
    // OAuth 2.1: PKCE for every authorization code request, public or confidential. oidc-provider 9
    // implements only S256, so `plain` is refused and discovery advertises ["S256"].
    pkce: { required: () => true },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALGORITHM] },
    jwks: input.signingKeys,
    cookies: { keys: input.cookieKeys },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: rememberingInteractionPolicy() },
    loadExistingGrant: loadExistingGrant(input.consents),

    // The authorization code flow always yields a refresh token when the client may use the grant,
    // without asking for offline_access: MCP clients refresh silently. Public clients get a new refresh
    // token on every use (and reuse of an old one revokes the grant); confidential ones when 70% of its
    // lifetime has passed. A chain of refresh tokens ends after a year.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken(ctx) {
      const { RefreshToken: refreshToken, Client: client } = ctx.oidc.entities;
      if (!refreshToken || !client || refreshToken.totalLifetime() >= REFRESH_TOKEN_MAX_LIFETIME) return false;
      return client.clientAuthMethod === 'none' || refreshToken.ttlPercentagePassed() >= 70;
    },
    // Tokens outlive the browser session at the provider: signing out of the provider page must not
    // sign the assistant out.
    expiresWithSession: () => false,

    ttl: {
      AccessToken: input.accessTokenTtlSeconds,
      ClientCredentials: input.accessTokenTtlSeconds,
      AuthorizationCode: MINUTE,
      IdToken: HOUR,
      RefreshToken: REFRESH_TOKEN_TTL,
      Interaction: HOUR,
      Session: 14 * DAY,
      Grant: 14 * DAY,
    },

    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Open dynamic registration (RFC 7591), what Claude Code and Cursor use: dev mode, no initial
      // access token (PLANE_DCR_ENABLED=false turns it off). Registered clients get user-delegated tokens
      // only (resource-policy.ts), after the person approves them (consent-page.ts), and only for the
      // redirect URIs the policy accepts (extraClientMetadata below).
      registration: { enabled: input.registration.enabled, initialAccessToken: false },
      resourceIndicators: createResourcePolicy(input.resources, input.accessTokenTtlSeconds),
      // Every access token is bound to a resource server, so none would be accepted at userinfo.
      userinfo: { enabled: false },
      // The resource servers accept Bearer tokens only.
      dPoP: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },

    extraClientMetadata: registrationRedirectCheck(input.registration.redirectPolicy),

    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false,
    renderError,
  };
}

function seededClients(clientSecrets: Readonly<Record<string, string>>): ClientMetadata[] {
  const publicClient: ClientMetadata = {
    client_id: PUBLIC_CLIENT_ID,
    client_name: 'plane-mcp (assistants and dev tools)',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [...PUBLIC_CLIENT_REDIRECT_URIS],
  };
  const serviceClients = SEEDED_SERVICE_CLIENTS.map((client): ClientMetadata => ({
    client_id: client.clientId,
    client_name: client.clientId,
    client_secret: clientSecrets[client.clientId] ?? devClientSecret(client.clientId),
    // Either method is accepted by oidc-provider for a client registered with one of them.
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: client.scopes.join(' '),
  }));
  return [publicClient, ...serviceClients];
}
