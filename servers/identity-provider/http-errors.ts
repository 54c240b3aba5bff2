import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

type Log = (line: string, fields?: Record<string, unknown>) => void;

/** An OAuth-shaped error (RFC 6749 §5.2): a code and a fixed description, never a stack, a path or the request. */
export function sendOAuthError(res: Response, status: number, error: string, description: string): void {
  res
    .status(status)
    .set('cache-control', 'no-store')
    .type('application/json')
    .send(JSON.stringify({ error, error_description: description }));
}

/**
 * The identity provider's last handlers, for anything neither the interaction pages nor oidc-provider
 * answered: an unknown route, or an error (e.g. a body the form parser refused). Logged by class only:
 * a body parser's error carries the request body.
 */
export function oauthFallbacks(log: Log): [RequestHandler, ErrorRequestHandler] {
  const notFound: RequestHandler = (_req, res) => sendOAuthError(res, 404, 'invalid_request', 'unrecognized route');
  const failed: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendOAuthError(res, status, 'invalid_request', status === 413 ? 'request body too large' : 'the request could not be read');
      return;
    }
    log('identity provider: request failed', { error: error instanceof Error ? error.name : typeof error });
    sendOAuthError(res, 500, 'server_error', 'the request could not be completed');
  };
  return [notFound, failed];
}
