import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../telemetry/logger.js';

/** JSON-RPC 2.0 error codes used by the HTTP layer. */
export const JSON_RPC = { parseError: -32700, invalidRequest: -32600, invalidParams: -32602, internalError: -32603, serverError: -32000 };

/**
 * Every error the HTTP layer itself answers: a short JSON-RPC error object, never a stack, a server path
 * or a piece of the request. `id` is the request's id when one single request could be read, else null.
 */
export function sendJsonRpcError(res: Response, status: number, code: number, message: string, id: string | number | null = null): void {
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id }));
}

/** The last two handlers of an MCP server's app: unknown routes, and any error nothing else answered. */
export function jsonRpcFallbacks(logger: Logger): [RequestHandler, ErrorRequestHandler] {
  const notFound: RequestHandler = (_req, res) => sendJsonRpcError(res, 404, JSON_RPC.serverError, 'Not found');
  const failed: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // Only what a person needs to find the bug: never the error's own properties (a body parser's
    // error carries the request body) and never anything in the response.
    logger.error({ err: describeError(error), method: req.method, path: req.path }, 'HTTP request failed');
    sendJsonRpcError(res, 500, JSON_RPC.internalError, 'Internal server error');
  };
  return [notFound, failed];
}

/** An error reduced to its name and stack (which holds the message), dropping attached properties such as a request body. */
export function describeError(error: unknown): { name: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  return { name: error.name, ...(error.stack ? { stack: error.stack } : {}) };
}
