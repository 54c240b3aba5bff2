import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithToken } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Item 5 of the security review: `update_release_binding` with `env: [{key: "DB_PASSWORD", value: S}]`
 * wrote S to the log and the audit table, because redaction went by key name and the key there is
 * `value`. Every path a call can take is tried: success, malformed input, policy denial, missing scope.
 */
let stack: TestStack;
const clients: Client[] = [];
const SECRET = 'hunter2-correct-horse-battery-staple';
const ns = { namespace_name: 'default' };

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await stack?.close();
});

async function connect(token: string): Promise<Client> {
  const client = await connectWithToken(stack.controlPlane.url, token);
  clients.push(client);
  return client;
}

async function auditOf(tool: string) {
  return stack.controlPlane.running.audit.store.query({ tool, limit: 100 });
}

function expectNowhere(secret: string) {
  expect(stack.logText()).not.toContain(secret);
}

describe('environment variable values', () => {
  it('are applied, but the log and the audit trail keep only the key and [redacted]', async () => {
    const admin = await connect(await stack.userToken('admin', 'control-plane'));
    const result = await admin.callTool({
      name: 'update_release_binding',
      arguments: { ...ns, binding_name: 'frontend-development', env: [{ key: 'DB_PASSWORD', value: SECRET }] },
    });
    expect(result.isError).toBeFalsy();
    const stored = await stack.controlPlaneStore.get('ReleaseBinding', 'default', 'frontend-development');
    expect(JSON.stringify(stored)).toContain(SECRET);

    const [event] = (await auditOf('update_release_binding')).filter((candidate) => candidate.outcome === 'success');
    expect(event?.arguments).toMatchObject({ env: [{ key: 'DB_PASSWORD', value: '[redacted]' }] });
    expect(JSON.stringify(await auditOf('update_release_binding'))).not.toContain(SECRET);
    expectNowhere(SECRET);
  });

  it('stay out of the audit trail when the call is malformed, denied, or lacks the write scope', async () => {
    const malformed = `${SECRET}-malformed`;
    const denied = `${SECRET}-denied`;
    const scopeless = `${SECRET}-scope`;
    const admin = await connect(await stack.userToken('admin', 'control-plane'));
    await admin.callTool({
      name: 'update_release_binding',
      arguments: { ...ns, binding_name: 'frontend-development', env: { key: 'X', value: malformed } },
    });
    const viewer = await connect(await stack.userToken('viewer', 'control-plane'));
    const refused = await viewer.callTool({
      name: 'update_release_binding',
      arguments: { ...ns, binding_name: 'frontend-development', env: [{ key: 'API_KEY', value: denied }] },
    });
    expect(refused.isError).toBe(true);
    const readOnly = await connect(await stack.serviceToken('readonly-assistant', 'control-plane'));
    await expect(
      readOnly.callTool({
        name: 'update_release_binding',
        arguments: { ...ns, binding_name: 'frontend-development', env: [{ key: 'T', value: scopeless }] },
      }),
    ).rejects.toThrow();

    const outcomes = (await auditOf('update_release_binding')).map((event) => event.outcome);
    expect(outcomes).toEqual(expect.arrayContaining(['invalid_input', 'denied', 'insufficient_scope']));
    const trail = JSON.stringify(await auditOf('update_release_binding'));
    for (const secret of [malformed, denied, scopeless]) {
      expect(trail).not.toContain(secret);
      expectNowhere(secret);
    }
  });

  it('are redacted in create_component too', async () => {
    const componentSecret = `${SECRET}-component`;
    const admin = await connect(await stack.userToken('admin', 'control-plane'));
    const created = await admin.callTool({
      name: 'create_component',
      arguments: {
        ...ns,
        project_name: 'default',
        name: 'secret-holder',
        component_type: 'deployment/service',
        env: [{ key: 'STRIPE_KEY', value: componentSecret }],
      },
    });
    expect(JSON.stringify(await auditOf('create_component'))).not.toContain(componentSecret);
    expect((await auditOf('create_component'))[0]?.arguments).toMatchObject({ env: [{ key: 'STRIPE_KEY', value: '[redacted]' }] });
    expectNowhere(componentSecret);
    expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
  });
});
