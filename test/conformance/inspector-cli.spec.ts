import type { Client } from '@modelcontextprotocol/client';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaneName } from '../../shared/config/plane-config.js';
import { makeTempDir, removeTempDir } from '../support/identity.js';
import { connectWithToken } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { toolNode } from './node-runtime.js';
import { spawnCollect } from './run-conformance.js';

// The official MCP Inspector CLI (v2, a pinned devDependency) as a third-party client against both
// servers with authentication on. Exit codes (its CLI): 0 ok, 1 usage, 3 auth required, 4 unreachable,
// 5 tool error / isError. It needs Node >= 22.19; on Node 20 node-runtime.ts supplies Node 24 from npm.

const require = createRequire(import.meta.url);
const INSPECTOR = join(
  dirname(require.resolve('@modelcontextprotocol/inspector/package.json')),
  'clients',
  'launcher',
  'build',
  'index.js',
);
const EXIT = { ok: 0, authRequired: 3, toolError: 5 } as const;

let stack: TestStack;
let node: string;
let home: string;

beforeAll(async () => {
  node = await toolNode();
  // The Inspector keeps a catalog and OAuth secrets under ~/.mcp-inspector: give it a throwaway home.
  home = makeTempDir('plane-mcp-inspector-home-');
  stack = await startTestStack();
}, 300_000);
afterAll(async () => {
  await stack?.close();
  if (home) removeTempDir(home);
});

async function inspector(url: URL, args: string[], token?: string) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, USERPROFILE: home, NO_COLOR: '1' };
  const result = await spawnCollect(
    node,
    [
      INSPECTOR,
      '--cli',
      '--transport',
      'http',
      '--server-url',
      url.href,
      '--format',
      'json',
      // Never start an interactive OAuth login: without a usable token, fail with auth_required.
      '--stored-auth-only',
      ...(token ? ['--header', `Authorization: Bearer ${token}`] : []),
      ...args,
    ],
    { env, cwd: home, timeoutMs: 60_000 },
  );
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text.trim());
    } catch {
      return undefined;
    }
  };
  return {
    ...result,
    json: parse(result.stdout) as { result?: Record<string, unknown> } | undefined,
    error: (parse(result.stderr) as { error?: { code?: string; message?: string } } | undefined)?.error,
  };
}

const CLIENT: Record<PlaneName, string> = { 'control-plane': 'ci-deployer', 'observability-plane': 'sre-agent' };

describe.each<PlaneName>(['control-plane', 'observability-plane'])('MCP Inspector CLI against the %s', (plane) => {
  const url = () => (plane === 'control-plane' ? stack.controlPlane.url : stack.observabilityPlane.url);

  it('tools/list returns the tools this caller may use, as the SDK client sees them', async () => {
    const token = await stack.serviceToken(CLIENT[plane], plane);
    const run = await inspector(url(), ['--method', 'tools/list'], token);
    expect(run.exitCode, run.output).toBe(EXIT.ok);
    const names = ((run.json?.result?.tools ?? []) as Array<{ name: string }>).map((tool) => tool.name).sort();
    expect(names).toContain('whoami');

    let client: Client | undefined;
    try {
      client = await connectWithToken(url(), token);
      expect(names).toEqual((await client.listTools()).tools.map((tool) => tool.name).sort());
    } finally {
      await client?.close();
    }
  }, 120_000);

  it('tools/call whoami succeeds and names the caller', async () => {
    const token = await stack.serviceToken(CLIENT[plane], plane);
    const run = await inspector(url(), ['--method', 'tools/call', '--tool-name', 'whoami'], token);
    expect(run.exitCode, run.output).toBe(EXIT.ok);
    expect(run.json?.result?.isError).toBeFalsy();
    expect(run.json?.result?.structuredContent).toMatchObject({ subject: { type: 'service', id: CLIENT[plane] } });
  }, 120_000);

  it('reports auth required without a token, and with a token for the other server', async () => {
    const missing = await inspector(url(), ['--method', 'tools/list']);
    expect(missing.exitCode, missing.output).toBe(EXIT.authRequired);
    expect(missing.error?.code, missing.stderr).toBe('auth_required');

    const otherPlane: PlaneName = plane === 'control-plane' ? 'observability-plane' : 'control-plane';
    const wrongAudience = await inspector(url(), ['--method', 'tools/list'], await stack.serviceToken('sre-agent', otherPlane));
    expect(wrongAudience.exitCode, wrongAudience.output).toBe(EXIT.authRequired);
    expect(wrongAudience.error?.code, wrongAudience.stderr).toBe('auth_required');
  }, 120_000);
});

describe('MCP Inspector CLI: a policy denial', () => {
  it('exits 5 (tool error) with the denial text when the shared policy says no', async () => {
    const token = await stack.serviceToken('ci-deployer', 'control-plane');
    // explain_access is listed for everyone; explaining someone else needs authz:explain, which ci-deployer lacks.
    const args = { action: 'component:view', subject: { type: 'user', id: 'dev', groups: ['developers'] } };
    const run = await inspector(
      stack.controlPlane.url,
      ['--method', 'tools/call', '--tool-name', 'explain_access', '--tool-args-json', JSON.stringify(args)],
      token,
    );
    expect(run.exitCode, run.output).toBe(EXIT.toolError);
    expect(run.output).toContain('authz:explain');
    const [event] = await stack.controlPlane.running.audit.store.query({ tool: 'explain_access', limit: 1 });
    expect(event).toMatchObject({ subject: 'service:ci-deployer', outcome: 'denied', decision: 'deny' });
  }, 120_000);
});
