import { createMcpExpressApp } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as z from 'zod';
import { connectWithToken } from '../support/mcp-client.js';
import { startTestStack } from '../support/stack.js';

export interface LatencyStats {
  calls: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
}

const args = { namespace: 'default', project: 'shop', component: 'cart', environment: 'development' };

/** A bare SDK v2 server with the same no-op tool, no auth, no policy, no audit: the baseline. */
async function startBareServer(): Promise<{ url: URL; close(): Promise<void> }> {
  const app = createMcpExpressApp({ host: '127.0.0.1' });
  const handler = toNodeHandler(
    createMcpHandler(() => {
      const server = new McpServer({ name: 'bare', version: '1' });
      server.registerTool(
        'read_note',
        {
          description: 'no-op',
          inputSchema: z.object({ namespace: z.string(), project: z.string(), component: z.string(), environment: z.string() }),
          outputSchema: z.object({ note: z.string().nullable() }),
        },
        async () => ({ content: [{ type: 'text', text: '{"note":null}' }], structuredContent: { note: null } }),
      );
      return server;
    }),
  );
  app.all('/mcp', (req, res) => void handler(req, res, req.body));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function measure(client: Client, calls: number, concurrency: number): Promise<LatencyStats> {
  for (let i = 0; i < 50; i++) await client.callTool({ name: 'read_note', arguments: args });
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) {
        const t0 = performance.now();
        const result = await client.callTool({ name: 'read_note', arguments: args });
        if (result.isError) throw new Error(`benchmark call failed: ${JSON.stringify(result.content)}`);
        durations.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  durations.sort((a, b) => a - b);
  return {
    calls,
    meanMs: durations.reduce((sum, d) => sum + d, 0) / durations.length,
    p50Ms: durations[Math.floor(durations.length * 0.5)]!,
    p99Ms: durations[Math.floor(durations.length * 0.99)]!,
    callsPerSecond: (calls / elapsed) * 1000,
  };
}

/** Per-call cost of OAuth verification + Casbin + audit + our pipeline, against a bare SDK server in the same run. */
export async function benchToolCallOverhead(calls = 2000, concurrency = 1) {
  const stack = await startTestStack();
  const bare = await startBareServer();
  try {
    const token = await stack.serviceToken('readonly-assistant', 'control-plane');
    const ours = await connectWithToken(stack.controlPlane.url, token);
    const baseline = await connectWithToken(bare.url, 'unused');
    const bareStats = await measure(baseline, calls, concurrency);
    const fullStats = await measure(ours, calls, concurrency);
    await Promise.all([ours.close(), baseline.close()]);
    return {
      concurrency,
      bare: bareStats,
      full: fullStats,
      latencyRatio: fullStats.meanMs / bareStats.meanMs,
      throughputRatio: fullStats.callsPerSecond / bareStats.callsPerSecond,
    };
  } finally {
    await bare.close();
    await stack.close();
  }
}
