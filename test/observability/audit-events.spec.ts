import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithToken, errorOf } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * `query_audit_events` on the observability plane: its own audit trail (until now only its log showed
 * denials), with the control plane's tool and authorization (`audit:view`).
 */
let stack: TestStack;
const clients: Client[] = [];
type AuditPage = {
  events: Array<{ id: string; subject: string; tool: string; decision: string; rule?: string; outcome: string }>;
  next_cursor?: string;
};

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await stack?.close();
});

async function observability(user: string, kind: 'user' | 'service' = 'user'): Promise<Client> {
  const token =
    kind === 'user' ? await stack.userToken(user, 'observability-plane') : await stack.serviceToken(user, 'observability-plane');
  const client = await connectWithToken(stack.observabilityPlane.url, token);
  clients.push(client);
  return client;
}

const scope = { namespace: 'default', project: 'gcp-microservice-demo', component: 'frontend', environment: 'development' };

describe('query_audit_events on the observability plane', () => {
  it('shows this plane’s allowed and denied calls with the rule, filtered and paged', async () => {
    const viewer = await observability('viewer');
    const denied = await viewer.callTool({ name: 'query_component_logs', arguments: scope });
    expect(errorOf(denied)?.code).toBe('ERR_FORBIDDEN');
    const sre = await observability('sre');
    expect((await sre.callTool({ name: 'query_component_logs', arguments: scope })).isError).toBeFalsy();
    await stack.userToken('admin', 'control-plane'); // a control-plane login: its calls are not in this trail

    const all = (await sre.callTool({ name: 'query_audit_events', arguments: { tool: 'query_component_logs' } }))
      .structuredContent as AuditPage;
    expect(all.events.map((event) => [event.subject, event.decision, event.outcome])).toEqual([
      ['user:sre', 'allow', 'success'],
      ['user:viewer', 'deny', 'denied'],
    ]);
    expect(all.events[0]?.rule).toBe('sre');

    const denials = (await sre.callTool({ name: 'query_audit_events', arguments: { decision: 'deny', subject: 'user:viewer' } }))
      .structuredContent as AuditPage;
    expect(denials.events.map((event) => event.tool)).toEqual(['query_component_logs']);

    const paged = { tool: 'query_component_logs', limit: 1 };
    const page = (await sre.callTool({ name: 'query_audit_events', arguments: paged })).structuredContent as AuditPage;
    expect(page.events.map((event) => event.subject)).toEqual(['user:sre']);
    const next = (await sre.callTool({ name: 'query_audit_events', arguments: { ...paged, cursor: page.next_cursor } }))
      .structuredContent as AuditPage;
    expect(next.events.map((event) => event.subject)).toEqual(['user:viewer']);
    expect(next.next_cursor).toBeUndefined();
  });

  it('is refused (and audited) for callers without audit:view, and hidden from their tools/list', async () => {
    for (const [name, kind] of [
      ['viewer', 'user'],
      ['sre-agent', 'service'],
    ] as const) {
      const caller = await observability(name, kind);
      const refused = await caller.callTool({ name: 'query_audit_events', arguments: {} });
      expect(errorOf(refused)?.denial?.reason, name).toBe('no_match');
      expect((await caller.listTools()).tools.map((tool) => tool.name)).not.toContain('query_audit_events');
    }
    const sre = await observability('sre');
    expect((await sre.listTools()).tools.map((tool) => tool.name)).toContain('query_audit_events');
    const trail = (await sre.callTool({ name: 'query_audit_events', arguments: { tool: 'query_audit_events', decision: 'deny' } }))
      .structuredContent as AuditPage;
    expect(trail.events.map((event) => event.subject).sort()).toEqual(['service:sre-agent', 'user:viewer']);
  });

  it('refuses a bad time with the argument named', async () => {
    const sre = await observability('sre');
    const result = await sre.callTool({ name: 'query_audit_events', arguments: { since: 'yesterday' } });
    expect(errorOf(result)?.code).toBe('ERR_INVALID_INPUT');
    expect(errorOf(result)?.message).toMatch(/since/);
  });
});
