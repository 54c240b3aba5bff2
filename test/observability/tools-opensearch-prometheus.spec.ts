import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOpenSearchPrometheusWriter } from '../../servers/observability-plane/backends/opensearch-prometheus-writer.js';
import { createOpenSearchBackend } from '../../servers/observability-plane/backends/opensearch/index.js';
import { freePort } from '../support/net.js';
import { connectWithToken, errorOf } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { describeObservabilityTools } from './tool-suite.js';

/** The same suite against the production choices: real OpenSearch (logs, traces) and real Prometheus (metrics). */
describeObservabilityTools('OpenSearch + Prometheus', {
  observabilityEnv: async () => ({
    PLANE_OBSERVABILITY_BACKEND: 'opensearch',
    PLANE_OPENSEARCH_URL: inject('opensearchUrl'),
    PLANE_PROMETHEUS_URL: inject('prometheusUrl'),
  }),
  writer: async () => createOpenSearchPrometheusWriter(createOpenSearchBackend({ url: inject('opensearchUrl') }), inject('prometheusUrl')),
});

describe('with OpenSearch and Prometheus down', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      observabilityEnv: {
        PLANE_OBSERVABILITY_BACKEND: 'opensearch',
        PLANE_OPENSEARCH_URL: `http://127.0.0.1:${await freePort()}`,
        PLANE_PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
      },
    });
  });
  afterAll(() => stack?.close());

  it('answers with a clear upstream error, fast, and reports not ready', async () => {
    const client = await connectWithToken(stack.observabilityPlane.url, await stack.userToken('dev', 'observability-plane'));
    const started = Date.now();
    for (const [tool, args] of [
      ['query_component_logs', { namespace: 'default' }],
      ['query_traces', { namespace: 'default' }],
      ['query_resource_metrics', { namespace: 'default' }],
    ] as const) {
      const result = await client.callTool({ name: tool, arguments: args });
      expect(result.isError, tool).toBe(true);
      expect(errorOf(result)?.code, tool).toBe('ERR_UPSTREAM_UNAVAILABLE');
    }
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await fetch(new URL('/readyz', stack.observabilityPlane.url))).status).toBe(503);
    await client.close();
  });
});
