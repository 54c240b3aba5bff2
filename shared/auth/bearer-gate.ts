import type { OAuthTokenVerifier } from '@modelcontextprotocol/express';
import { bearerAuthChallengeResponse, OAuthError, OAuthErrorCode, verifyBearerToken } from '@modelcontextprotocol/server';
import type { NextFunction, Request, Response } from 'express';

export interface BearerGateOptions {
  verifier: OAuthTokenVerifier;
  /** Every request needs this scope (the server's read scope). */
  requiredScope: string;
  /**
   * Scopes named in a 401 challenge: all the server's scopes, so a client that requests exactly the
   * challenged scopes (Codex, OpenCode) can use the write tools the policy allows; the policy decides.
   */
  challengeScopes: string[];
  resourceMetadataUrl: string;
  expectedResource: URL;
}

/**
 * The MCP endpoint's bearer gate, on the SDK's own verification and challenge builders: 401 with
 * `resource_metadata` and the server's scopes; 403 `insufficient_scope` naming the scope a token lacks.
 * A request with no credentials gets a challenge without an error code (RFC 6750 §3.1).
 */
export function createBearerGate(options: BearerGateOptions) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      req.auth = await verifyBearerToken(req.headers.authorization, {
        verifier: options.verifier,
        requiredScopes: [options.requiredScope],
        resourceMetadataUrl: options.resourceMetadataUrl,
        expectedResource: options.expectedResource,
      });
      next();
    } catch (error) {
      const insufficientScope = error instanceof OAuthError && error.code === OAuthErrorCode.InsufficientScope;
      const response = bearerAuthChallengeResponse(error, {
        requiredScopes: insufficientScope ? [options.requiredScope] : options.challengeScopes,
        resourceMetadataUrl: options.resourceMetadataUrl,
      });
      let challenge = response.headers.get('WWW-Authenticate');
      if (challenge && !req.headers.authorization) challenge = challenge.replace(/error="[^"]*",\s*error_description="[^"]*",\s*/, '');
      if (challenge) res.set('WWW-Authenticate', challenge);
      res
        .status(response.status)
        .type('application/json')
        .send(await response.text());
    }
  };
}
