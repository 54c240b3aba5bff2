import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveControlPlaneConfig } from '../../servers/control-plane/control-plane-config.js';
import { startControlPlane } from '../../servers/control-plane/control-plane.js';
import { listen, ListenError } from '../../shared/http/listen.js';
import { makeTempDir, removeTempDir } from '../support/identity.js';

/** Hold a loopback port so the code under test finds it taken. */
async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return { port: address.port, server };
}

describe('one listener helper', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((release) => release()));

  it('serves, reports the bound port and closes', async () => {
    const listener = await listen((_req, res) => res.end('ok'), { host: '127.0.0.1', port: 0, portVariable: 'PLANE_X_PORT' });
    expect(listener.port).toBeGreaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${listener.port}/`)).text()).toBe('ok');
    await listener.close();
    await expect(fetch(`http://127.0.0.1:${listener.port}/`)).rejects.toThrow();
  });

  it('a taken port names the address and the variable to change', async () => {
    const taken = await occupy();
    cleanup.push(() => taken.server.close());
    const attempt = listen(() => undefined, { host: '127.0.0.1', port: taken.port, portVariable: 'PLANE_OTLP_PORT' });
    await expect(attempt).rejects.toBeInstanceOf(ListenError);
    await expect(attempt).rejects.toThrow(
      `127.0.0.1:${taken.port} is already in use: stop what listens there or set PLANE_OTLP_PORT to another port`,
    );
  });

  it('a plane on a taken port fails start-up naming its port variable', async () => {
    const taken = await occupy();
    const dataDir = makeTempDir('plane-mcp-listen-');
    cleanup.push(() => (taken.server.close(), removeTempDir(dataDir)));
    const config = resolveControlPlaneConfig(['--auth-disabled'], {
      PLANE_CONTROL_PLANE_URL: `http://127.0.0.1:${taken.port}/mcp`,
      PLANE_DATA_DIR: dataDir,
      PLANE_LOAD_DEMO: 'false',
      PLANE_LOG_LEVEL: 'silent',
    });
    await expect(startControlPlane(config)).rejects.toThrow(/already in use: .*set PLANE_CONTROL_PLANE_PORT to another port/);
  });
});
