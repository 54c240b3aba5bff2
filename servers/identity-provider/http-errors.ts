import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { escapeHtml, PAGE_HEADERS, renderPage } from './html.js';

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
 * An error on one of the provider's pages: a short HTML page for a browser (as oidc-provider's own
 * `renderError` does), the same message as an OAuth error for anything else.
 */
export function sendPageError(req: Request, res: Response, status: number, title: string, message: string): void {
  if (req.accepts(['json', 'html']) === 'html') {
    res
      .status(status)
      .set(PAGE_HEADERS)
      .type('html')
      .send(renderPage(title, `<h1>${escapeHtml(title)}</h1><p class="error">${escapeHtml(message)}</p>`));
  } else {
    sendOAuthError(res, status, 'invalid_request', message);
  }
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
