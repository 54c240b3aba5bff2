import { createHash, timingSafeEqual } from 'node:crypto';

/** The bearer token of an `Authorization` header (RFC 6750 token68 syntax), if there is one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Checks a presented token against a static token (constant time) and/or `verifyBearer`; a verifier
 * that throws says no. Refuses to be built without either, or with a static token under 16 characters.
 */
export function ingestAuthenticator(options: {
  token?: string | undefined;
  verifyBearer?: ((token: string) => Promise<boolean>) | undefined;
}): (presented: string) => Promise<boolean> {
  if (options.token === undefined && options.verifyBearer === undefined)
    throw new TypeError('OTLP receiver: a token or verifyBearer is required');
  if (options.token !== undefined && options.token.length < 16)
    throw new TypeError('OTLP receiver: the token must have at least 16 characters');
  const expected = options.token === undefined ? undefined : sha256(options.token);
  const verifyBearer = options.verifyBearer;
  return async (presented) => {
    // Digests have equal length, so the comparison is constant-time whatever the presented length.
    if (expected && timingSafeEqual(sha256(presented), expected)) return true;
    if (!verifyBearer) return false;
    try {
      return (await verifyBearer(presented)) === true;
    } catch {
      return false;
    }
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
