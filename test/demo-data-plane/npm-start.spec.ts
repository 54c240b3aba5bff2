import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { clientCredentialsToken, makeTempDir, removeTempDir } from '../support/identity.js';
import { connectWithToken } from '../support/mcp-client.js';
import { freePort } from '../support/net.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsx = path.join(repoRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');

/** Poll `probe` until it returns a value, or fail after `ms` with the last thing it saw. */
async function eventually<T>(ms: number, probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

describe('npm start runs the demo data plane', () => {
  const dataDir = makeTempDir('plane-mcp-start-');
  let child: ChildProcessWithoutNullStreams | undefined;
  const clients: Client[] = [];
  let output = '';

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    if (child && child.exitCode === null) child.kill('SIGKILL');
    removeTempDir(dataDir);
  });

  it('reports ready bindings and ships telemetry within seconds, and stops cleanly on SIGTERM', async () => {
    const [idp, cp, op, otlp] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${idp}`;
    const controlPlaneUrl = `http://127.0.0.1:${cp}/mcp`;
    const observabilityPlaneUrl = `http://127.0.0.1:${op}/mcp`;
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PLANE_')));
    Object.assign(env, {
      PLANE_DATA_DIR: dataDir,
      PLANE_ISSUER: issuer,
      PLANE_CONTROL_PLANE_URL: controlPlaneUrl,
      PLANE_OBSERVABILITY_PLANE_URL: observabilityPlaneUrl,
      PLANE_OTLP_PORT: String(otlp),
      PLANE_LOG_LEVEL: 'warn',
    });
    const started = spawn(tsx, ['servers/start.ts'], { cwd: repoRoot, env });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    await eventually(
      60_000,
      async () =>
        output.includes('plane-mcp is running.') ? true : started.exitCode !== null ? Promise.reject(new Error(output)) : undefined,
      'the banner',
    );

    const controlToken = (
      await clientCredentialsToken({ issuer, clientId: 'readonly-assistant', resource: controlPlaneUrl, scope: 'controlplane:read' })
    ).access_token;
    const control = await connectWithToken(new URL(controlPlaneUrl), controlToken);
    clients.push(control);
    for (const binding of ['frontend-development', 'productcatalog-development', 'greeting-service-development']) {
      const status = await eventually(
        15_000,
        async () => {
          const result = await control.callTool({
            name: 'get_release_binding',
            arguments: { namespace_name: 'default', binding_name: binding },
          });
          const detail = result.structuredContent as
            { status?: { readyReplicas?: number; conditions: Array<{ reason?: string }> } } | undefined;
          return detail?.status?.readyReplicas === 1 ? detail.status : undefined;
        },
        `${binding} to report a ready replica`,
      );
      expect(status.conditions[0]?.reason).toBe('Available');
    }

    const observabilityToken = (
      await clientCredentialsToken({ issuer, clientId: 'sre-agent', resource: observabilityPlaneUrl, scope: 'observability:read' })
    ).access_token;
    const observability = await connectWithToken(new URL(observabilityPlaneUrl), observabilityToken);
    clients.push(observability);
    const scope = { namespace: 'default', project: 'gcp-microservice-demo', environment: 'development' };
    const logs = await eventually(
      15_000,
      async () => {
        const result = await observability.callTool({
          name: 'query_component_logs',
          arguments: { ...scope, component: 'frontend', search_phrase: 'request complete' },
        });
        const data = result.structuredContent as { total?: number; lines?: Array<{ message: string }> } | undefined;
        return (data?.total ?? 0) > 0 ? data : undefined;
      },
      'frontend access logs',
    );
    expect(logs.lines?.[0]?.message).toMatch(/trace_id=[0-9a-f]{32}/);
    const traces = await observability.callTool({ name: 'query_traces', arguments: { ...scope, component: 'frontend' } });
    expect((traces.structuredContent as { traces: unknown[] }).traces.length).toBeGreaterThan(0);

    started.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/"level":(40|50)/);
  }, 120_000);

  it('PLANE_DEMO_DATA_PLANE takes a boolean; anything else stops start-up naming the variable', async () => {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PLANE_')));
    Object.assign(env, { PLANE_DATA_DIR: dataDir, PLANE_DEMO_DATA_PLANE: 'sometimes' });
    const refused = spawn(tsx, ['servers/start.ts'], { cwd: repoRoot, env });
    let stderr = '';
    refused.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => refused.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PLANE_DEMO_DATA_PLANE');
  }, 60_000);

  it('resolves every part first: a bad PLANE_OPENSEARCH_URL stops npm start before the control plane opens its store or listens', async () => {
    const freshDir = makeTempDir('plane-mcp-start-bad-');
    try {
      const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PLANE_')));
      Object.assign(env, {
        PLANE_DATA_DIR: freshDir,
        PLANE_OBSERVABILITY_BACKEND: 'opensearch',
        PLANE_OPENSEARCH_URL: 'opensearch.internal:9200',
        PLANE_PROMETHEUS_URL: 'http://127.0.0.1:9090',
      });
      const refused = spawn(tsx, ['servers/start.ts'], { cwd: repoRoot, env });
      let all = '';
      refused.stdout.on('data', (chunk: Buffer) => (all += chunk.toString()));
      refused.stderr.on('data', (chunk: Buffer) => (all += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => refused.on('exit', resolve));
      expect(code).toBe(1);
      expect(all).toContain('PLANE_OPENSEARCH_URL');
      expect(all).not.toMatch(/listening/);
      expect(existsSync(path.join(freshDir, 'control-plane.sqlite'))).toBe(false);
      expect(existsSync(path.join(freshDir, 'identity-provider'))).toBe(false);
    } finally {
      removeTempDir(freshDir);
    }
  }, 60_000);
});
