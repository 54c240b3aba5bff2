import type { Client } from '@modelcontextprotocol/client';
import { Client as SdkClient, InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneTools } from '../../servers/control-plane/tools/index.js';
import { observabilityPlaneTools } from '../../servers/observability-plane/tools/index.js';
import { annotationsOf, type AnyToolDefinition } from '../../shared/tools/define-tool.js';
import { nestedArrays, postJsonRpc } from '../support/json-rpc.js';
import { connectWithToken } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Items 3 and 4 of the security review: a JSON-RPC batch was executed even where the protocol revision
 * forbids it, and a batched tools/list bypassed the per-caller filter; deeply nested JSON crashed the
 * request with a 500.
 */
let stack: TestStack;
const clients: Client[] = [];
const planes = ['control-plane', 'observability-plane'] as const;
const urlOf = (plane: (typeof planes)[number]) => (plane === 'control-plane' ? stack.controlPlane.url : stack.observabilityPlane.url);
const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
const call = (id: number, name: string, args: unknown = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await stack?.close();
});

async function listedNames(plane: (typeof planes)[number], token: string): Promise<string[]> {
  const client = await connectWithToken(urlOf(plane), token);
  clients.push(client);
  return (await client.listTools()).tools.map((tool) => tool.name);
}

describe.each(planes)('%s: tools/list', (plane) => {
  it('lists the same tools for a viewer whether the request is one message, a batch, or a batch mixed with a call', async () => {
    const token = await stack.userToken('viewer', plane);
    const single = await listedNames(plane, token);
    const everything = await listedNames(plane, await stack.userToken('admin', plane));
    expect(single.length).toBeLessThan(everything.length);
    for (const body of [[list(1)], [list(1), call(2, 'whoami')], [call(2, 'whoami'), list(1), list(3)]]) {
      const reply = await postJsonRpc(urlOf(plane), JSON.stringify(body), { token, protocolVersion: '2025-03-26' });
      expect(reply.status).toBe(200);
      const lists = reply.messages.filter((message) => message.result && 'tools' in message.result);
      expect(lists.length).toBe(body.filter((message) => message.method === 'tools/list').length);
      for (const answer of lists) expect((answer.result!.tools as Array<{ name: string }>).map((tool) => tool.name)).toEqual(single);
    }
  });

  it('answers exactly what the SDK would list for the same tools (schemas, annotations, metadata)', async () => {
    const catalogue: AnyToolDefinition<never>[] = plane === 'control-plane' ? controlPlaneTools : observabilityPlaneTools;
    const server = new McpServer({ name: 'reference', version: '1.0.0' });
    for (const tool of catalogue) {
      server.registerTool(
        tool.name,
        {
          title: tool.title,
          description: tool.description,
          inputSchema: tool.input,
          outputSchema: tool.output,
          annotations: annotationsOf(tool),
          _meta: { 'plane-mcp/toolset': tool.toolset, 'plane-mcp/scope': tool.scope },
        },
        () => ({ content: [] }),
      );
    }
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const reference = new SdkClient({ name: 'reference', version: '1.0.0' });
    await reference.connect(clientSide);
    const expected = new Map((await reference.listTools()).tools.map((tool) => [tool.name, tool]));
    await reference.close();
    const client = await connectWithToken(urlOf(plane), await stack.userToken('admin', plane));
    clients.push(client);
    const served = (await client.listTools()).tools.filter((tool) => expected.has(tool.name));
    expect(served.length).toBe(catalogue.length);
    for (const tool of served) expect(tool, tool.name).toEqual(expected.get(tool.name));
  });
});

describe.each(planes)('%s: JSON-RPC batches', (plane) => {
  it.each(['2025-06-18', '2025-11-25'])(
    'are refused with a JSON-RPC Invalid Request under protocol %s, and nothing runs',
    async (version) => {
      const token = await stack.userToken('admin', plane);
      const reply = await postJsonRpc(urlOf(plane), JSON.stringify([list(1), call(2, 'whoami')]), { token, protocolVersion: version });
      expect(reply.status).toBe(400);
      expect(reply.contentType).toMatch(/^application\/json/);
      expect(reply.messages).toEqual([{ jsonrpc: '2.0', error: { code: -32600, message: expect.stringMatching(/batch/) }, id: null }]);
    },
  );

  it('are refused when they carry initialize, which may never be batched', async () => {
    const token = await stack.userToken('admin', plane);
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    const reply = await postJsonRpc(urlOf(plane), JSON.stringify([initialize, list(2)]), { token });
    expect(reply.status).toBe(400);
    expect(reply.messages[0]?.error?.code).toBe(-32600);
  });
});

describe.each(planes)('%s: nesting depth', (plane) => {
  it('refuses 10,000 nested arrays or objects as the body with Invalid Request, not a 500', async () => {
    const token = await stack.userToken('admin', plane);
    // 2025-03-26 still allows batches, so the array is judged by its depth.
    for (const body of [nestedArrays(10_000), `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`]) {
      const reply = await postJsonRpc(urlOf(plane), body, { token, protocolVersion: '2025-03-26' });
      expect(reply.status).toBe(400);
      expect(reply.messages).toEqual([
        { jsonrpc: '2.0', error: { code: -32600, message: expect.stringMatching(/nest deeper than 32/) }, id: null },
      ]);
    }
  });

  it('refuses deep nesting inside arguments with Invalid params for that request id', async () => {
    const token = await stack.userToken('admin', plane);
    const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"whoami","arguments":{"a":${nestedArrays(10_000)}}}}`;
    const reply = await postJsonRpc(urlOf(plane), body, { token, protocolVersion: '2025-06-18' });
    expect(reply.status).toBe(400);
    expect(reply.messages).toEqual([
      { jsonrpc: '2.0', error: { code: -32602, message: expect.stringMatching(/nest deeper than 32/) }, id: 7 },
    ]);
  });

  it('still serves a call whose arguments nest a little (within the limit)', async () => {
    const token = await stack.userToken('admin', plane);
    const body = JSON.stringify(call(8, 'whoami', { a: JSON.parse(nestedArrays(20)) }));
    const reply = await postJsonRpc(urlOf(plane), body, { token, protocolVersion: '2025-06-18' });
    expect(reply.status).toBe(200);
    expect(reply.messages[0]?.id).toBe(8);
  });
});
