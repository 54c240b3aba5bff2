import type { Client } from '@modelcontextprotocol/client';
import { performance } from 'node:perf_hooks';
import { createOpenSearchBackend, type OpenSearchBackend } from '../../servers/observability-plane/backends/opensearch/index.js';
import type { LogLevel, LogLine, SpanDetails } from '../../servers/observability-plane/backends/telemetry-backend.js';
import { freePort } from '../support/net.js';
import { connectWithToken } from '../support/mcp-client.js';
import { startOpenSearch } from '../support/opensearch.js';
import { startTestStack } from '../support/stack.js';
import { resultTokens } from '../../scenarios/tokens.js';

const COMPONENTS = ['frontend', 'checkout', 'productcatalog', 'recommendation', 'currency', 'payment', 'email', 'shipping', 'ad', 'cart'];
const ENVIRONMENTS = ['development', 'staging', 'production'];
const PROJECT = 'gcp-microservice-demo';

interface Timing {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

function summarize(durations: number[]): Timing {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50Ms: sorted[Math.floor(sorted.length / 2)]!,
    p99Ms: sorted[Math.floor(sorted.length * 0.99)]!,
  };
}

/**
 * Time two ways of running the same query, interleaved (alternating which goes first), so OpenSearch's
 * caches and the machine's load favour neither.
 */
async function timePair(iterations: number, first: () => Promise<unknown>, second: () => Promise<unknown>): Promise<[Timing, Timing]> {
  for (let i = 0; i < 10; i++) {
    await first();
    await second();
  }
  const a: number[] = [];
  const b: number[] = [];
  const measure = async (run: () => Promise<unknown>, into: number[]) => {
    const started = performance.now();
    await run();
    into.push(performance.now() - started);
  };
  for (let i = 0; i < iterations; i++) {
    if (i % 2 === 0) {
      await measure(first, a);
      await measure(second, b);
    } else {
      await measure(second, b);
      await measure(first, a);
    }
  }
  return [summarize(a), summarize(b)];
}

/** Deterministic pseudo-random numbers, so every run indexes the same data. */
function random(seed: number) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** `count` log lines and about `count` spans spread over the last 24 hours (two daily indices). */
async function seed(backend: OpenSearchBackend, count: number, now: number): Promise<void> {
  const next = random(42);
  const levels: LogLevel[] = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
  const batch = 20_000;
  for (let offset = 0; offset < count; offset += batch) {
    const lines: LogLine[] = [];
    for (let i = 0; i < batch; i++) {
      const component = COMPONENTS[Math.floor(next() * COMPONENTS.length)]!;
      const level = levels[Math.floor(next() * levels.length)]!;
      lines.push({
        namespace: 'default',
        project: PROJECT,
        component,
        environment: ENVIRONMENTS[Math.floor(next() * 3)]!,
        timestamp: new Date(now - Math.floor(next() * 86_400_000)).toISOString(),
        level,
        message:
          level === 'ERROR'
            ? `rpc error: code = Unavailable desc = upstream ${Math.floor(next() * 1000)} unreachable`
            : `handled request ${Math.floor(next() * 1e6)} in ${Math.floor(next() * 200)}ms`,
      });
    }
    await backend.indexLogLines(lines);
  }
  for (let offset = 0; offset < count; offset += batch) {
    const spans: SpanDetails[] = [];
    while (spans.length < batch) {
      const traceId =
        Math.floor(next() * 2 ** 52)
          .toString(16)
          .padStart(16, '0') +
        Math.floor(next() * 2 ** 52)
          .toString(16)
          .padStart(16, '0');
      const environment = ENVIRONMENTS[Math.floor(next() * 3)]!;
      const start = now - Math.floor(next() * 86_400_000);
      const failing = next() < 0.05;
      for (let depth = 0; depth < 5; depth++) {
        const component = depth === 0 ? 'frontend' : COMPONENTS[1 + Math.floor(next() * (COMPONENTS.length - 1))]!;
        const durationMs = Math.floor(next() * 300) + 1;
        spans.push({
          traceId: traceId.slice(0, 32),
          spanId: `${traceId.slice(0, 14)}${depth.toString(16).padStart(2, '0')}`,
          ...(depth > 0 ? { parentSpanId: `${traceId.slice(0, 14)}${(depth - 1).toString(16).padStart(2, '0')}` } : {}),
          name: depth === 0 ? 'GET /cart' : `hipstershop.Service/Call${depth}`,
          kind: depth === 0 ? 'SERVER' : 'CLIENT',
          service: component,
          startTime: new Date(start + depth).toISOString(),
          endTime: new Date(start + depth + durationMs).toISOString(),
          durationMs,
          status: failing && depth === 4 ? 'error' : 'ok',
          scope: { namespace: 'default', project: PROJECT, component, environment },
          attributes: { 'rpc.system': 'grpc' },
          resource: { 'service.name': component },
        });
      }
    }
    await backend.indexSpans(spans);
  }
  await backend.client.indices.refresh({ index: '*' });
}

/**
 * query_component_logs and query_traces through the MCP server, against the same queries sent straight
 * to OpenSearch through the adapter, over `count` log lines and `count` spans; plus result token sizes.
 */
export async function benchObservability(count = 1_000_000) {
  const opensearch = await startOpenSearch({ fullJit: true, heap: '1g' });
  const backend = createOpenSearchBackend({ url: opensearch.url });
  try {
    await backend.ensureIndexTemplates();
    const now = Date.now();
    const seeding = performance.now();
    await seed(backend, count, now);
    const seedSeconds = (performance.now() - seeding) / 1000;
    const stack = await startTestStack({
      observabilityEnv: {
        PLANE_OBSERVABILITY_BACKEND: 'opensearch',
        PLANE_OPENSEARCH_URL: opensearch.url,
        PLANE_PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
      },
    });
    try {
      const client: Client = await connectWithToken(stack.observabilityPlane.url, await stack.userToken('sre', 'observability-plane'));
      const window = { start: new Date(now - 3_600_000), end: new Date(now) };
      const scope = { namespace: 'default', project: PROJECT, component: 'checkout', environment: 'production' };
      const args = { ...scope, start_time: window.start.toISOString(), end_time: window.end.toISOString() };
      const cases = [
        {
          name: 'query_component_logs (one component, 1 h, 100 lines)',
          direct: () => backend.logs.queryComponentLogs({ scope, window, limit: 100, sort: 'desc' }),
          tool: 'query_component_logs',
          args: { ...args, limit: 100 },
        },
        {
          name: 'query_component_logs (errors grouped into patterns)',
          direct: () => backend.logs.queryComponentLogs({ scope, window, levels: ['ERROR'], limit: 500, sort: 'desc' }),
          tool: 'query_component_logs',
          args: { ...args, log_levels: ['ERROR'], group_patterns: true },
        },
        {
          name: 'query_traces (project, 1 h, 20 traces)',
          direct: () => backend.traces.queryTraces({ scope: { namespace: 'default', project: PROJECT }, window, limit: 20, sort: 'desc' }),
          tool: 'query_traces',
          args: { namespace: 'default', project: PROJECT, start_time: args.start_time, end_time: args.end_time, limit: 20 },
        },
        {
          name: 'query_traces (failed only)',
          direct: () =>
            backend.traces.queryTraces({
              scope: { namespace: 'default', project: PROJECT },
              window,
              errorsOnly: true,
              limit: 20,
              sort: 'desc',
            }),
          tool: 'query_traces',
          args: {
            namespace: 'default',
            project: PROJECT,
            start_time: args.start_time,
            end_time: args.end_time,
            limit: 20,
            errors_only: true,
          },
        },
      ];
      const results = [];
      for (const item of cases) {
        let last: Awaited<ReturnType<Client['callTool']>> | undefined;
        const [direct, mcp] = await timePair(100, item.direct, async () => {
          last = await client.callTool({ name: item.tool, arguments: item.args });
          if (last.isError) throw new Error(JSON.stringify(last.content));
        });
        results.push({ name: item.name, direct, mcp, ratio: mcp.meanMs / direct.meanMs, tokens: resultTokens(last!) });
      }
      await client.close();
      return { documents: { logLines: count, spans: count }, seedSeconds, results };
    } finally {
      await stack.close();
    }
  } finally {
    await backend.close();
    await opensearch.stop();
  }
}
