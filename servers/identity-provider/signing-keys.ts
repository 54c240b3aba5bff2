import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import * as z from 'zod';
import { loadOrCreatePrivateJson } from '../../shared/config/private-json-file.js';

/** The algorithm every token of the identity provider is signed with. */
export const SIGNING_ALGORITHM = 'RS256';

const privateRsaJwk = z.looseObject({
  kty: z.literal('RSA'),
  kid: z.string().min(1),
  alg: z.literal(SIGNING_ALGORITHM),
  use: z.literal('sig'),
  n: z.string().min(1),
  e: z.string().min(1),
  d: z.string().min(1),
  p: z.string().min(1),
  q: z.string().min(1),
  dp: z.string().min(1),
  dq: z.string().min(1),
  qi: z.string().min(1),
});

const signingKeySet = z.object({ keys: z.array(privateRsaJwk).min(1) });

/** A private JSON Web Key Set, as oidc-provider's `jwks` option takes it. */
export type SigningKeySet = z.infer<typeof signingKeySet>;

/**
 * Load the provider's private signing keys from `<directory>/signing-keys.json`, or generate an RS256
 * key there (mode 0600) on first start. Persisting the keys means a restart does not invalidate the
 * access tokens already issued. To rotate, prepend a new key to the file: the first key signs, all are
 * published in the JWKS.
 */
export function loadOrCreateSigningKeys(directory: string): Promise<SigningKeySet> {
  return loadOrCreatePrivateJson(join(directory, 'signing-keys.json'), (value) => signingKeySet.parse(value), createSigningKeySet);
}

async function createSigningKeySet(): Promise<SigningKeySet> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return signingKeySet.parse({ keys: [{ ...jwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' }] });
}
