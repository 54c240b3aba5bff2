import type { RedirectPolicy } from './registration-policy.js';

/** A resource server tokens can be minted for: its canonical URI is the token audience (RFC 8707). */
export interface ProtectedResource {
  /** Canonical URI, e.g. `http://localhost:8080/mcp`; copied verbatim into the token's `aud`. */
  uri: string;
  /** The scopes this resource accepts; a token for it never carries any other. */
  scopes: string[];
  /** Human-readable name, for pages and logs. */
  name: string;
}

export interface IdentityProviderOptions {
  /** Issuer identifier, e.g. `http://localhost:8090`; the server listens on this URL's port. */
  issuer: string;
  /** Signing and cookie keys are persisted under `<dataDir>/identity-provider/`. */
  dataDir: string;
  /** The only audiences tokens can be minted for. */
  resources: ProtectedResource[];
  /** Per seeded client id, a secret replacing the dev-mode secret `<client-id>-secret`. */
  clientSecrets?: Record<string, string>;
  /** Lifetime of access tokens; default 3600. */
  accessTokenTtlSeconds?: number;
  /** Interface to listen on; default `127.0.0.1` (loopback only), which also limits Host and Origin to loopback names. */
  host?: string;
  /** Host names accepted on a non-loopback bind (`PLANE_ALLOWED_HOSTS`); replaces the loopback default. */
  allowedHosts?: string[];
  /** Browser Origin host names accepted (`PLANE_ALLOWED_ORIGINS`); replaces the loopback default. */
  allowedOrigins?: string[];
  /** Dynamic client registration; default on, with `DEFAULT_REDIRECT_POLICY`. */
  registration?: RegistrationOptions;
  /** Structured log sink. It is never given tokens, secrets or passwords. */
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

export interface RegistrationOptions {
  /** `PLANE_DCR_ENABLED`: false removes the registration endpoint; assistants then use `plane-mcp-public`. */
  enabled: boolean;
  /** `PLANE_DCR_REDIRECT_POLICY`: which redirect URIs a registered client may have. */
  redirectPolicy: RedirectPolicy;
}

export interface RunningIdentityProvider {
  issuer: string;
  jwksUri: string;
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;
