import { localhostAllowedHostnames, localhostAllowedOrigins, validateHostHeader, validateOriginHeader } from '@modelcontextprotocol/server';
import type { RequestHandler, Response } from 'express';
import { isLoopbackHost } from '../auth/auth-disabled.js';

/** Which Host and Origin names a listener accepts; a missing list means that header is not checked. */
export interface HostAllowList {
  hosts?: string[];
  origins?: string[];
}

export interface HostAllowListOptions {
  /** The address the listener binds. */
  bindHost: string;
  /** `PLANE_ALLOWED_HOSTS`: Host names accepted (any port); replaces the loopback default. */
  allowedHosts?: string[];
  /** `PLANE_ALLOWED_ORIGINS`: browser Origin host names accepted; replaces the loopback default. */
  allowedOrigins?: string[];
}

/**
 * The DNS-rebinding allow-list every listener applies, the rules of the MCP SDK's `createMcpExpressApp`:
 * the configured names when given; otherwise, on a loopback bind address, only the loopback names
 * (`localhost`, `127.0.0.1`, `[::1]`); otherwise nothing is checked (the operator put the listener on a
 * network and names it with `PLANE_ALLOWED_HOSTS`).
 */
export function hostAllowList(options: HostAllowListOptions): HostAllowList {
  const loopback = isLoopbackHost(options.bindHost);
  const hosts = options.allowedHosts ?? (loopback ? localhostAllowedHostnames() : undefined);
  const origins = options.allowedOrigins ?? (loopback ? localhostAllowedOrigins() : undefined);
  return { ...(hosts ? { hosts } : {}), ...(origins ? { origins } : {}) };
}

/** How a refused request is answered: the listener's own error shape (JSON-RPC or OAuth). */
export type RefusalResponder = (res: Response, status: number, message: string) => void;

/**
 * Express middleware, mounted before every route: a request whose Host (or Origin, when a browser sent
 * one) is not on the list gets 403 before any handler, body parser or session lookup runs. The answer
 * never repeats the header it refused.
 */
export function rejectForeignHosts(list: HostAllowList, refuse: RefusalResponder): RequestHandler {
  return (req, res, next) => {
    if (list.hosts && !validateHostHeader(req.headers.host, list.hosts).ok) {
      refuse(res, 403, 'the Host header names a host this server does not answer for');
      return;
    }
    if (list.origins && !validateOriginHeader(req.headers.origin, list.origins).ok) {
      refuse(res, 403, 'requests from this Origin are not allowed');
      return;
    }
    next();
  };
}
