import { OAuthError, OAuthErrorCode, type AuthInfo } from '@modelcontextprotocol/server';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/express';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { expandImpliedScopes } from './scopes.js';
import { subjectFromClaims, type Subject } from './subject.js';

export interface TokenVerifierOptions {
  issuer: string;
  jwksUri: string;
  /** This server's canonical URI: the only audience it accepts (RFC 8707). */
  audience: string;
  algorithms: string[];
  clockToleranceSeconds: number;
  groupsClaim: string;
  /** How long an unknown `kid` waits before the JWKS is fetched again. */
  jwksCooldownMilliseconds?: number;
}

/** What the verifier hands to the rest of the server in `AuthInfo.extra`. */
export interface VerifiedCaller {
  subject: Subject;
  /** Seconds since epoch; kept for `whoami`. */
  issuedAt?: number;
}

export function callerOf(authInfo: AuthInfo | undefined): VerifiedCaller | undefined {
  const caller = authInfo?.extra?.caller;
  return caller && typeof caller === 'object' ? (caller as VerifiedCaller) : undefined;
}

/**
 * Verifies JWT access tokens against the issuer's JWKS with `jose`: signature by an allowed algorithm,
 * issuer, audience = this server, `exp` required, small clock tolerance. An unknown `kid` refetches the
 * JWKS (rate-limited by the cooldown), so key rotation works without a restart.
 */
export function createTokenVerifier(options: TokenVerifierOptions): OAuthTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri), {
    cooldownDuration: options.jwksCooldownMilliseconds ?? 30_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
  });
  const audience = new URL(options.audience);
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: options.algorithms,
          clockTolerance: options.clockToleranceSeconds,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (error) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, describeRejection(error));
      }
      let subject: Subject;
      try {
        subject = subjectFromClaims(payload, { groupsClaim: options.groupsClaim });
      } catch (error) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, `token subject unusable: ${(error as Error).message}`);
      }
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
      const caller: VerifiedCaller = { subject, ...(payload.iat !== undefined ? { issuedAt: payload.iat } : {}) };
      return {
        token,
        clientId: subject.clientId ?? subject.id,
        scopes: expandImpliedScopes(scopes),
        ...(payload.exp !== undefined ? { expiresAt: payload.exp } : {}),
        // jwtVerify already checked `aud`; the SDK compares this with its expectedResource as a second gate.
        resource: audience,
        extra: { caller },
      };
    },
  };
}

/** A reason safe to return in `error_description`: it names the check that failed, never token content. */
function describeRejection(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'token was not issued for this server (audience mismatch)';
    if (error.claim === 'iss') return 'token was issued by an untrusted issuer';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'token is not yet valid';
    if (error.reason === 'missing') return `token lacks the required "${error.claim}" claim`;
    return `token claim "${error.claim}" is invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token signature algorithm is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token signing key is unknown to the issuer';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'token is malformed';
  if (error instanceof errors.JWKSTimeout) return 'issuer keys could not be fetched in time';
  return 'token rejected';
}
