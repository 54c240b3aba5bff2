import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listener {
  server: Server;
  /** The port actually bound (useful when asked for port 0). */
  port: number;
  close(): Promise<void>;
}

/** A listener that could not bind; the message names the address and the variable that moves it. */
export class ListenError extends Error {
  override name = 'ListenError';
}

/**
 * Serve `handler` on `host:port`. When the port is taken (or not allowed) the error says which
 * variable to change, e.g. `PLANE_CONTROL_PLANE_PORT`, instead of a bare EADDRINUSE.
 */
export async function listen(handler: RequestListener, options: { host: string; port: number; portVariable: string }): Promise<Listener> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(describeListenError(error, options)));
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function describeListenError(error: NodeJS.ErrnoException, options: { host: string; port: number; portVariable: string }): Error {
  const where = `${options.host}:${options.port}`;
  if (error.code === 'EADDRINUSE') {
    return new ListenError(`${where} is already in use: stop what listens there or set ${options.portVariable} to another port`, {
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new ListenError(`${where} may not be bound by this user: set ${options.portVariable} to a port above 1023`, { cause: error });
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return new ListenError(`${options.host} is not an address of this machine: check PLANE_BIND_HOST`, { cause: error });
  }
  return error;
}
