import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, LOCAL_SUBJECT } from '../../shared/auth/auth-disabled.js';
import { ConfigError } from '../../shared/config/env.js';
import { resolvePlaneConfig } from '../../shared/config/plane-config.js';
import { createPlaneApp, type PlaneAppOptions } from '../../shared/http/create-plane-app.js';
import { startAuthDisabledPlanes, type AuthDisabledPlanes } from '../conformance/run-conformance.js';
import { connectWithToken, errorOf } from '../support/mcp-client.js';

describe('PLANE_AUTH_DISABLED: loopback only', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', '128.0.0.1', '::2', 'example.com', 'localhost.example.com', '']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses to start on 0.0.0.0 (or any non-loopback address) with an error naming the variable', () => {
    for (const bindHost of ['0.0.0.0', '::', '192.168.1.10']) {
      const start = () => resolvePlaneConfig('control-plane', [], { PLANE_AUTH_DISABLED: 'true', PLANE_BIND_HOST: bindHost });
      expect(start).toThrow(ConfigError);
      expect(start).toThrow(/PLANE_AUTH_DISABLED/);
      expect(start).toThrow(/loopback/);
      expect(() => resolvePlaneConfig('observability-plane', ['--auth-disabled'], { PLANE_BIND_HOST: bindHost })).toThrow(
        /PLANE_AUTH_DISABLED/,
      );
    }
  });

  it('is off by default and accepted on loopback addresses (variable or flag)', () => {
    expect(resolvePlaneConfig('control-plane', [], {}).authDisabled).toBe(false);
    expect(() => resolvePlaneConfig('control-plane', [], { PLANE_AUTH_DISABLED: 'maybe' })).toThrow(/PLANE_AUTH_DISABLED/);
    for (const bindHost of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) {
      expect(resolvePlaneConfig('control-plane', [], { PLANE_AUTH_DISABLED: 'true', PLANE_BIND_HOST: bindHost }).authDisabled).toBe(true);
    }
    expect(resolvePlaneConfig('control-plane', ['--auth-disabled'], {}).authDisabled).toBe(true);
  });

  it('is refused by the HTTP layer too, whoever builds the configuration', () => {
    const options = {
      authDisabled: true,
      bindHost: '0.0.0.0',
      canonicalUrl: new URL('http://example.com/mcp'),
      environment: {},
    } as unknown as PlaneAppOptions<unknown>;
    expect(() => createPlaneApp(options)).toThrow(/PLANE_AUTH_DISABLED/);
  });
});

describe('PLANE_AUTH_DISABLED on loopback', () => {
  let planes: AuthDisabledPlanes;
  const clients: Client[] = [];

  beforeAll(async () => {
    planes = await startAuthDisabledPlanes({
      // The local subject goes through the policy like anyone: this binding takes deletes away from it.
      bindingsOverlay: `  - name: local-developer-no-deletes\n    role: deleter\n    subjects: [user:local-developer]\n    effect: deny\n`,
    });
  }, 60_000);
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => planes?.close());

  /** An MCP client that sends no credentials at all. */
  async function anonymous(url: URL): Promise<Client> {
    const client = new Client({ name: 'plane-mcp-tests', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(url));
    clients.push(client);
    return client;
  }

  it('warns loudly at start and on /readyz, and serves no OAuth metadata', async () => {
    const warnings = planes
      .logText()
      .split('\n')
      .filter((line) => line.includes('AUTHENTICATION IS DISABLED'));
    expect(warnings).toHaveLength(2); // one per server
    for (const line of warnings) expect(JSON.parse(line)).toMatchObject({ level: 40, authDisabled: true, subject: 'user:local-developer' });

    for (const url of Object.values(planes.urls)) {
      const ready = await fetch(new URL('/readyz', url));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ready',
        authDisabled: true,
        subject: 'user:local-developer',
        warning: expect.stringContaining('PLANE_AUTH_DISABLED'),
      });
      expect((await fetch(new URL('/.well-known/oauth-protected-resource', url))).status).toBe(404);
    }
  });

  it('answers a call without a token as the local subject, authorized by the policy and audited', async () => {
    const client = await anonymous(planes.urls['control-plane']);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['whoami', 'list_projects', 'update_release_binding']));
    expect(names, 'the deny binding hides deletes from tools/list, as for anyone').not.toContain('delete_release_binding');

    const whoami = await client.callTool({ name: 'whoami', arguments: {} });
    expect(whoami.isError).toBeFalsy();
    expect(whoami.structuredContent).toMatchObject({
      subject: { type: 'user', id: LOCAL_SUBJECT.id },
      groups: ['platform-admins'],
      clientId: 'plane-mcp-auth-disabled',
      roles: expect.arrayContaining([expect.objectContaining({ role: 'admin', binding: 'platform-admins' })]),
    });

    const projects = await client.callTool({ name: 'list_projects', arguments: { namespace_name: 'default' } });
    expect(projects.isError, JSON.stringify(projects.content)).toBeFalsy();
    const [listed] = await planes.running['control-plane'].audit.store.query({ tool: 'list_projects', limit: 1 });
    expect(listed).toMatchObject({
      subject: 'user:local-developer',
      subjectType: 'user',
      clientId: 'plane-mcp-auth-disabled',
      outcome: 'success',
      decision: 'allow',
    });
  });

  it('still denies what the policy denies, and audits the denial', async () => {
    const client = await anonymous(planes.urls['control-plane']);
    const result = await client.callTool({
      name: 'delete_release_binding',
      arguments: { namespace_name: 'default', binding_name: 'ad-development' },
    });
    expect(result.isError).toBe(true);
    expect(errorOf(result)?.denial?.binding?.name).toBe('local-developer-no-deletes');
    const [event] = await planes.running['control-plane'].audit.store.query({ tool: 'delete_release_binding', limit: 1 });
    expect(event).toMatchObject({
      subject: 'user:local-developer',
      outcome: 'denied',
      decision: 'deny',
      rule: 'local-developer-no-deletes',
    });
  });

  it('ignores any Authorization header, and works the same on the observability plane', async () => {
    const withJunk = await connectWithToken(planes.urls['control-plane'], 'not-a-token');
    clients.push(withJunk);
    expect((await withJunk.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
      subject: { id: LOCAL_SUBJECT.id },
    });

    const observability = await anonymous(planes.urls['observability-plane']);
    const whoami = await observability.callTool({ name: 'whoami', arguments: {} });
    expect(whoami.isError).toBeFalsy();
    expect(whoami.structuredContent).toMatchObject({
      subject: { id: LOCAL_SUBJECT.id },
      scopes: expect.arrayContaining(['observability:read', 'observability:write']),
    });
    const [event] = await planes.running['observability-plane'].audit.store.query({ tool: 'whoami', limit: 1 });
    expect(event).toMatchObject({ subject: 'user:local-developer', outcome: 'success' });
  });
});
