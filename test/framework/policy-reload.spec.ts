import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectWithToken, errorOf } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.close());

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met in time');
}

it('both servers pick up a policy edit without a restart, and refuse a broken edit', async () => {
  const cpToken = await stack.serviceToken('readonly-assistant', 'control-plane');
  const opToken = await stack.serviceToken('readonly-assistant', 'observability-plane');
  const controlPlane = await connectWithToken(stack.controlPlane.url, cpToken);
  const observabilityPlane = await connectWithToken(stack.observabilityPlane.url, opToken);
  const read = { namespace: 'default', project: 'shop', component: 'cart', environment: 'development' };
  expect((await controlPlane.callTool({ name: 'read_note', arguments: read })).isError).toBeFalsy();

  const bindingsFile = join(stack.policyDir, 'bindings.yaml');
  const original = readFileSync(bindingsFile, 'utf8');
  const revoked = original.replace(
    /\n {2}- name: readonly-assistant\n {4}role: readonly-assistant\n {4}subjects: \[service:readonly-assistant\]\n/,
    '\n',
  );
  expect(revoked).not.toBe(original);
  writeFileSync(bindingsFile, revoked);

  await eventually(async () => (await controlPlane.callTool({ name: 'read_note', arguments: read })).isError === true);
  const denied = await controlPlane.callTool({ name: 'read_note', arguments: read });
  expect(errorOf(denied)?.denial?.reason).toBe('no_match');
  expect((await controlPlane.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['explain_access', 'whoami']);
  await eventually(async () => {
    const me = (await observabilityPlane.callTool({ name: 'whoami', arguments: {} })).structuredContent as { roles: unknown[] };
    return !me.roles.some((role) => (role as { role: string }).role === 'readonly-assistant');
  });

  // A broken edit is refused; the last good policy (the revocation) stays in force.
  const versionBefore = stack.controlPlane.running.policy.version;
  writeFileSync(bindingsFile, `${revoked}\n  - name: broken\n    role: no-such-role\n    subjects: [group:x]\n`);
  await eventually(async () => stack.controlPlane.running.policy.lastError !== undefined);
  expect(stack.controlPlane.running.policy.version).toBe(versionBefore);
  expect((await controlPlane.callTool({ name: 'read_note', arguments: read })).isError).toBe(true);

  writeFileSync(bindingsFile, original);
  await eventually(async () => !(await controlPlane.callTool({ name: 'read_note', arguments: read })).isError);
  await Promise.all([controlPlane.close(), observabilityPlane.close()]);
});
