import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The gateway of docker-compose.yml in miniature: one port, requests handed to the backends in turn
 * (round robin, no affinity of any kind), bodies and streamed responses piped through unchanged.
 * `served` counts the requests each backend answered.
 */
export interface RoundRobinProxy {
  url: string;
  port: number;
  served: Map<string, number>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: string[], port = 0): Promise<RoundRobinProxy> {
  if (backends.length === 0) throw new Error('no backends');
  const served = new Map(backends.map((backend) => [backend, 0]));
  let next = 0;
  const server: Server = createServer((req, res) => {
    const backend = new URL(backends[next++ % backends.length] as string);
    served.set(backend.origin, (served.get(backend.origin) ?? 0) + 1);
    const upstream = httpRequest(
      { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: req.headers },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`gateway: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
