import type { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectWithToken, errorOf, textOf } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startTestStack();
});
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
});
afterAll(() => stack?.close());

async function asService(clientId: string, plane: 'control-plane' | 'observability-plane' = 'control-plane') {
  const token = await stack.serviceToken(clientId, plane);
  const client = await connectWithToken(plane === 'control-plane' ? stack.controlPlane.url : stack.observabilityPlane.url, token);
  clients.push(client);
  return client;
}
async function asUser(user: string, plane: 'control-plane' | 'observability-plane' = 'control-plane') {
  const token = await stack.userToken(user, plane);
  const client = await connectWithToken(plane === 'control-plane' ? stack.controlPlane.url : stack.observabilityPlane.url, token);
  clients.push(client);
  return client;
}
const FIXTURE_TOOLS = new Set(['read_note', 'write_note', 'delete_note', 'whoami']);
/** The fixture tools (and whoami) a caller sees; the platform's own tools have their own specs. */
const toolNames = async (client: Client) =>
  (await client.listTools()).tools
    .map((tool) => tool.name)
    .filter((name) => FIXTURE_TOOLS.has(name))
    .sort();
const note = (environment: string, extra: Record<string, unknown> = {}) => ({
  namespace: 'default',
  project: 'shop',
  component: 'cart',
  environment,
  ...extra,
});
const auditFor = async (tool: string) => stack.controlPlane.running.audit.store.query({ tool, limit: 50 });

describe('tools/list per caller', () => {
  it('shows each caller only the tools its roles can use', async () => {
    expect(await toolNames(await asUser('admin'))).toEqual(['delete_note', 'read_note', 'whoami', 'write_note']);
    expect(await toolNames(await asUser('dev'))).toEqual(['read_note', 'whoami', 'write_note']);
    expect(await toolNames(await asUser('viewer'))).toEqual(['read_note', 'whoami']);
    expect(await toolNames(await asService('readonly-assistant'))).toEqual(['read_note', 'whoami']);
    expect(await toolNames(await asService('ci-deployer'))).toEqual(['read_note', 'whoami', 'write_note']);
  });

  it('declares annotations, output schema and toolset on every tool', async () => {
    const { tools } = await (await asUser('admin')).listTools();
    expect(tools.length).toBeGreaterThan(20);
    for (const tool of tools) {
      expect(tool.annotations, tool.name).toMatchObject({
        readOnlyHint: expect.any(Boolean),
        destructiveHint: expect.any(Boolean),
        idempotentHint: expect.any(Boolean),
        openWorldHint: expect.any(Boolean),
      });
      expect(tool.outputSchema, tool.name).toBeDefined();
      expect(tool._meta?.['plane-mcp/scope'], tool.name).toMatch(/^controlplane:(read|write)$/);
    }
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName.delete_note!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.read_note!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.write_note!.inputSchema.required).toEqual(expect.arrayContaining(['namespace', 'note']));
  });
});

describe('tools/call authorization', () => {
  it('lets a developer write in development and records who did it', async () => {
    const dev = await asUser('dev');
    const result = await dev.callTool({ name: 'write_note', arguments: note('development', { note: 'hello' }) });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ before: null, after: 'hello' });
    expect(stack.notes.get('default/shop/cart/development')).toBe('hello');
    const [event] = await auditFor('write_note');
    expect(event).toMatchObject({
      subject: 'user:dev',
      subjectType: 'user',
      groups: ['developers'],
      action: 'releasebinding:update',
      resource: 'ns/default/project/shop/component/cart',
      decision: 'allow',
      outcome: 'success',
    });
    expect(event!.rule).toBeTruthy();
  });

  it('denies a developer in production with the binding that denied, changes nothing, and audits it', async () => {
    stack.notes.set('default/shop/cart/production', 'keep');
    const dev = await asUser('dev');
    const result = await dev.callTool({ name: 'write_note', arguments: note('production', { note: 'overwrite' }) });
    expect(result.isError).toBe(true);
    const error = errorOf(result)!;
    expect(error.code).toBe('ERR_FORBIDDEN');
    expect(error.denial?.reason).toBe('explicit_deny');
    expect(textOf(result)).toContain(error.denial!.binding!.name);
    expect(stack.notes.get('default/shop/cart/production')).toBe('keep');
    const [event] = await auditFor('write_note');
    expect(event).toMatchObject({ subject: 'user:dev', decision: 'deny', outcome: 'denied', rule: error.denial!.binding!.name });
  });

  it('denies a caller no binding allows, naming the roles that would', async () => {
    const result = await (await asUser('viewer')).callTool({ name: 'write_note', arguments: note('development', { note: 'x' }) });
    expect(result.isError).toBe(true);
    const error = errorOf(result)!;
    expect(error.code).toBe('ERR_FORBIDDEN');
    expect(error.denial?.reason).toBe('no_match');
    expect(error.denial?.wouldAllow).toEqual(expect.arrayContaining(['admin', 'developer']));
    expect(error.hint).toContain('developer');
    expect(stack.notes.has('default/shop/cart/development') && stack.notes.get('default/shop/cart/development') === 'x').toBe(false);
  });

  it('lets the read-only assistant read', async () => {
    const result = await (await asService('readonly-assistant')).callTool({ name: 'read_note', arguments: note('development') });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toHaveProperty('note');
  });

  it('never lets a service account delete, whatever its role', async () => {
    stack.notes.set('default/shop/cart/development', 'still here');
    const deployer = await asService('ci-deployer');
    const result = await deployer.callTool({ name: 'delete_note', arguments: note('development') });
    expect(result.isError).toBe(true);
    expect(errorOf(result)!.code).toBe('ERR_FORBIDDEN');
    expect(stack.notes.get('default/shop/cart/development')).toBe('still here');
  });

  it('refuses malformed arguments with a clear message, audits them, and changes nothing', async () => {
    const before = new Map(stack.notes);
    const dev = await asUser('dev');
    const result = await dev.callTool({ name: 'write_note', arguments: { namespace: 'default', environment: 'moon', note: 42 } });
    expect(result.isError).toBe(true);
    const error = errorOf(result)!;
    expect(error.code).toBe('ERR_INVALID_INPUT');
    expect(error.message).toMatch(/project/);
    expect(error.message).toMatch(/environment/);
    expect(stack.notes).toEqual(before);
    const [event] = await auditFor('write_note');
    expect(event).toMatchObject({ outcome: 'invalid_input', decision: 'not_evaluated' });
  });

  for (const bad of ['*', 'a/b', '..', '', 'Cart']) {
    it(`refuses the resource name ${JSON.stringify(bad)} instead of widening the check`, async () => {
      const admin = await asUser('admin');
      const result = await admin.callTool({ name: 'write_note', arguments: note('development', { component: bad, note: 'x' }) });
      expect(result.isError).toBe(true);
      expect(errorOf(result)!.code).toBe('ERR_INVALID_INPUT');
      expect([...stack.notes.keys()].some((key) => key.includes(`/${bad}/`))).toBe(false);
    });
  }

  it('redacts secrets in audited arguments', async () => {
    const dev = await asUser('dev');
    await dev.callTool({ name: 'write_note', arguments: note('development', { note: 'n', password: 'hunter2' }) });
    const [event] = await auditFor('write_note');
    expect(JSON.stringify(event!.arguments)).not.toContain('hunter2');
    expect(stack.logText()).not.toContain('hunter2');
  });

  it('answers 403 insufficient_scope naming the tool scope, and audits it', async () => {
    const token = await stack.serviceToken('ci-deployer', 'control-plane', 'controlplane:read');
    const response = await fetch(stack.controlPlane.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'write_note', arguments: note('development', { note: 'x' }) },
      }),
    });
    expect(response.status).toBe(403);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="controlplane:write"');
    const [event] = await auditFor('write_note');
    expect(event).toMatchObject({
      subject: 'service:ci-deployer',
      outcome: 'insufficient_scope',
      rule: 'insufficient_scope:controlplane:write',
    });
  });
});

describe('whoami', () => {
  it('describes a person: groups, roles, scopes and tools', async () => {
    const result = await (await asUser('dev')).callTool({ name: 'whoami', arguments: {} });
    expect(result.isError).toBeFalsy();
    const me = result.structuredContent as {
      subject: { type: string; id: string };
      groups: string[];
      roles: Array<{ role: string; effect: string }>;
      scopes: string[];
      tools: string[];
    };
    expect(me.subject).toMatchObject({ type: 'user', id: 'dev' });
    expect(me.groups).toEqual(['developers']);
    expect(me.roles).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'developer', effect: 'allow' })]));
    expect(me.roles.some((role) => role.effect === 'deny')).toBe(true);
    expect(me.scopes).toContain('controlplane:read');
    expect(me.tools).toContain('write_note');
  });

  it('describes a service account on the observability plane', async () => {
    const result = await (await asService('sre-agent', 'observability-plane')).callTool({ name: 'whoami', arguments: {} });
    const me = result.structuredContent as {
      subject: { type: string; id: string };
      clientId: string;
      roles: Array<{ role: string }>;
      allowedActions: Array<{ action: string }>;
    };
    expect(me.subject).toEqual({ type: 'service', id: 'sre-agent' });
    expect(me.clientId).toBe('sre-agent');
    expect(me.roles.map((role) => role.role)).toContain('sre-agent');
    const actions = me.allowedActions.map((capability) => capability.action);
    expect(actions).toContain('logs:view');
    expect(actions.some((action) => /:(create|update|delete)$/.test(action))).toBe(false);
  });
});

describe('HTTP surface', () => {
  it('serves health, readiness and Prometheus metrics', async () => {
    await (await asService('readonly-assistant')).callTool({ name: 'whoami', arguments: {} });
    expect((await fetch(new URL('/healthz', stack.controlPlane.url))).status).toBe(200);
    expect((await fetch(new URL('/readyz', stack.controlPlane.url))).status).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', stack.controlPlane.url))).text();
    expect(metrics).toMatch(/mcp_tool_calls_total\{[^}]*tool="whoami"[^}]*outcome="success"/);
    expect(metrics).toContain('mcp_authorization_denials_total');
  });

  it('refuses a foreign Host or Origin (DNS rebinding)', async () => {
    const token = await stack.serviceToken('readonly-assistant', 'control-plane');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    const origin = await fetch(stack.controlPlane.url, { method: 'POST', headers: { ...headers, origin: 'http://evil.example' }, body });
    expect(origin.status).toBe(403);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        stack.controlPlane.url,
        { method: 'POST', headers: { ...headers, host: 'evil.example' } },
        (res) => (res.resume(), resolve(res.statusCode ?? 0)),
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(403);
  });

  it('keeps no session: a second client sees the same tools without initialize state', async () => {
    const token = await stack.serviceToken('readonly-assistant', 'control-plane');
    const response = await fetch(stack.controlPlane.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(await response.text()).toContain('read_note');
  });
});
