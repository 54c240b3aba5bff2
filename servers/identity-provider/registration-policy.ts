import { errors, type Configuration } from 'oidc-provider';

/**
 * Which redirect URIs a dynamically registered client may register (RFC 7591), from
 * `PLANE_DCR_REDIRECT_POLICY`: a comma list of `loopback` (http on 127.0.0.1, localhost or [::1], any
 * port: CLIs and desktop apps), `https` (any https URI: web clients, shown on the consent page) and
 * private-use schemes such as `cursor:` (native apps that claim the scheme). Plain http on any other host
 * is never accepted, whatever the policy says: the code would travel in clear to a host nobody vouches for.
 */
export interface RedirectPolicy {
  loopback: boolean;
  https: boolean;
  /** Private-use schemes with their colon, e.g. `cursor:`. */
  schemes: string[];
}

/** Loopback for CLIs, https for web clients, and the schemes of the native clients the README lists (Cursor, VS Code). */
export const DEFAULT_REDIRECT_POLICY = 'loopback,https,cursor:,vscode:,vscode-insiders:';

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Schemes no policy may allow: they run code or read files in the browser, or are web schemes with their own rule. */
const NEVER_SCHEMES = new Set(['http:', 'https:', 'javascript:', 'vbscript:', 'data:', 'blob:', 'file:', 'about:', 'ws:', 'wss:', 'ftp:']);
const SCHEME = /^[a-z][a-z0-9+.-]*:$/;

/** Parse the policy text; throws a TypeError naming the entry it does not understand. */
export function parseRedirectPolicy(text: string): RedirectPolicy {
  const policy: RedirectPolicy = { loopback: false, https: false, schemes: [] };
  const entries = text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new TypeError('must name at least one of loopback, https or a scheme such as cursor:');
  for (const entry of entries) {
    if (entry === 'loopback') policy.loopback = true;
    else if (entry === 'https') policy.https = true;
    else if (SCHEME.test(entry) && !NEVER_SCHEMES.has(entry)) policy.schemes.push(entry);
    else
      throw new TypeError(
        `"${entry}" is not loopback, https or a private-use scheme such as cursor: (http, javascript:, data: … are never allowed)`,
      );
  }
  return policy;
}

/** Why `uri` may not be registered under `policy`, or undefined when it may. */
export function redirectUriRefusal(uri: string, policy: RedirectPolicy): string | undefined {
  const url = URL.parse(uri);
  if (!url) return 'is not a URI';
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTNAMES.has(url.hostname)) return 'uses http on a host that is not loopback (127.0.0.1, localhost, [::1]); use https';
    return policy.loopback ? undefined : 'is a loopback URI, which this provider does not accept for registered clients';
  }
  if (url.protocol === 'https:')
    return policy.https ? undefined : 'is an https URI, which this provider does not accept for registered clients';
  if (NEVER_SCHEMES.has(url.protocol) || !policy.schemes.includes(url.protocol)) {
    return `uses a scheme that is not one of the accepted private-use schemes (${policy.schemes.join(', ') || 'none'})`;
  }
  return undefined;
}

type ExtraClientMetadata = NonNullable<Configuration['extraClientMetadata']>;

/**
 * oidc-provider's per-client validation hook, used to apply the redirect policy at registration (the
 * registration `policies` feature needs initial access tokens; open registration has none). The hook
 * runs for every client the provider builds: the seeded ones and clients loaded from storage have no
 * registration context and are left alone, so tightening the policy does not break stored clients
 * (each still needs the person's consent).
 */
export function registrationRedirectCheck(policy: RedirectPolicy): ExtraClientMetadata {
  return {
    // The hook is called once per listed property; `software_id` (RFC 7591) is a harmless one to list.
    properties: ['software_id'],
    validator(ctx, _key, _value, metadata) {
      if (ctx?.oidc?.route !== 'registration') return;
      for (const label of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
        const uris: unknown = metadata[label];
        if (!Array.isArray(uris)) continue;
        uris.forEach((uri: unknown, index) => {
          const refusal = typeof uri === 'string' ? redirectUriRefusal(uri, policy) : undefined;
          if (!refusal) return;
          // A description starting with "redirect_uris" makes this an invalid_redirect_uri error (RFC 7591 §3.2.2).
          throw new errors.InvalidClientMetadata(`${label}[${index}] ${refusal}`);
        });
      }
    },
  };
}
