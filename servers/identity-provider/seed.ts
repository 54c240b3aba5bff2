import { SCOPES } from '../../shared/auth/scopes.js';
import type { ProtectedResource } from './options.js';

/**
 * The dev-mode identity provider's seeded people and clients. Data only: the provider configuration
 * turns these into oidc-provider client metadata and accounts.
 */

export interface SeededUser {
  /** The user name: also the token `sub` and `preferred_username`, and (dev mode) the password. */
  name: string;
  groups: readonly string[];
}

/** People who can sign in through the login page. Dev mode: the password is the user name. */
export const SEEDED_USERS: readonly SeededUser[] = [
  { name: 'admin', groups: ['platform-admins'] },
  { name: 'platform', groups: ['platform-engineers'] },
  { name: 'dev', groups: ['developers'] },
  { name: 'sre', groups: ['sre'] },
  { name: 'viewer', groups: ['viewers'] },
];

export interface SeededServiceClient {
  clientId: string;
  /** The only scopes this client may ever be granted (further narrowed by the resource's scopes). */
  scopes: readonly string[];
}

/** Confidential clients for unattended automation (client credentials). Each maps to `service:<client id>`. */
export const SEEDED_SERVICE_CLIENTS: readonly SeededServiceClient[] = [
  { clientId: 'ci-deployer', scopes: [SCOPES.controlPlaneRead, SCOPES.controlPlaneWrite, SCOPES.observabilityRead] },
  { clientId: 'sre-agent', scopes: [SCOPES.controlPlaneRead, SCOPES.observabilityRead] },
  { clientId: 'finops-agent', scopes: [SCOPES.controlPlaneRead, SCOPES.controlPlaneWrite, SCOPES.observabilityRead] },
  { clientId: 'readonly-assistant', scopes: [SCOPES.controlPlaneRead, SCOPES.observabilityRead] },
];

/** The pre-registered public client for assistants and dev tools that do not use dynamic registration. */
export const PUBLIC_CLIENT_ID = 'plane-mcp-public';

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'] as const;
// Loopback callback paths the assistants use: most '/callback' or '/oauth/callback'; VS Code '/';
// OpenCode '/mcp/oauth/callback'; MCP Inspector's debug flow '/oauth/callback/debug'.
const LOOPBACK_CALLBACK_PATHS = ['/', '/callback', '/oauth/callback', '/mcp/oauth/callback', '/oauth/callback/debug'] as const;

/**
 * Redirect URIs of the public client. It is a native client, so oidc-provider matches loopback
 * redirects on any port (RFC 8252 §7.3): a portless entry stands for every port on that host and path.
 */
export const PUBLIC_CLIENT_REDIRECT_URIS: readonly string[] = [
  'cursor://anysphere.cursor-mcp/oauth/callback',
  'http://127.0.0.1:6276/oauth/callback', // MCP Inspector CLI and TUI
  'http://localhost:6274/oauth/callback', // MCP Inspector web
  'https://vscode.dev/redirect', // VS Code (desktop relays through it when the loopback listener is unavailable)
  ...LOOPBACK_HOSTS.flatMap((host) => LOOPBACK_CALLBACK_PATHS.map((path) => `http://${host}${path}`)),
];

/** The dev-mode secret of a seeded confidential client, used unless the caller overrides it. */
export function devClientSecret(clientId: string): string {
  return `${clientId}-secret`;
}

/** The two MCP servers as protected resources: each URL is a token audience with its own scopes. */
export function planeResources(urls: { controlPlane: string; observabilityPlane: string }): ProtectedResource[] {
  return [
    { uri: urls.controlPlane, scopes: [SCOPES.controlPlaneRead, SCOPES.controlPlaneWrite], name: 'control plane' },
    { uri: urls.observabilityPlane, scopes: [SCOPES.observabilityRead, SCOPES.observabilityWrite], name: 'observability plane' },
  ];
}

/** The scopes a seeded service client may hold for a resource: what to request when the caller names none. */
export function seededScopesFor(clientId: string, resourceScopes: readonly string[]): string[] {
  const allowed = SEEDED_SERVICE_CLIENTS.find((seeded) => seeded.clientId === clientId)?.scopes ?? [];
  return resourceScopes.filter((scope) => (allowed as readonly string[]).includes(scope));
}
