import type { OAuthMetadata } from '@modelcontextprotocol/server';

/**
 * Fetch the authorization server's metadata (RFC 8414, then OIDC discovery), retrying while the issuer
 * starts up. The issuer in the document must match exactly, or the server refuses to trust it.
 */
export async function fetchIssuerMetadata(
  issuer: string,
  options: { attempts?: number; delayMilliseconds?: number } = {},
): Promise<OAuthMetadata> {
  const attempts = options.attempts ?? 30;
  const base = issuer.replace(/\/$/, '');
  const candidates = [`${base}/.well-known/oauth-authorization-server`, `${base}/.well-known/openid-configuration`];
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    for (const url of candidates) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        if (!response.ok) {
          lastError = new Error(`${url} answered ${response.status}`);
          continue;
        }
        const metadata = (await response.json()) as OAuthMetadata;
        if (metadata.issuer !== issuer) {
          throw new Error(`issuer mismatch: ${url} names "${metadata.issuer}", expected "${issuer}"`);
        }
        if (typeof metadata.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
        return metadata;
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('issuer mismatch')) throw error;
        lastError = error;
      }
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, options.delayMilliseconds ?? 1_000));
  }
  throw new Error(`cannot read the issuer's metadata at ${issuer} (PLANE_ISSUER): ${(lastError as Error)?.message ?? lastError}`);
}
