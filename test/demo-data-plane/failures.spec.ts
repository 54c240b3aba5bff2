import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../servers/observability-plane/backends/telemetry-backend.js';
import { BOUTIQUE, startHarness, USER, type Harness } from './harness.js';

const UNAVAILABLE = 'rpc error: code = Unavailable';

/** Scenario 3: productcatalog scaled to zero, found through logs and traces, and restored. */
describe('demo data plane: a callee scaled to zero', () => {
  let harness: Harness;
  let brokenSince: number;
  let restoredAt: number;

  const setReplicas = (replicas: number) =>
    harness.store.modify('ReleaseBinding', 'default', 'productcatalog-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, overrides: { ...current.spec.overrides, replicas } },
    }));
  const errorLogs = (component: string, since: number) =>
    harness.telemetry.logs.queryComponentLogs({
      scope: { ...BOUTIQUE, component },
      window: harness.window(since),
      levels: ['ERROR'],
      search: UNAVAILABLE,
      limit: 20,
      sort: 'desc',
    });

  beforeAll(async () => {
    harness = await startHarness({ requestsPerSecond: 10 });
    await harness.ticks(5);
    await setReplicas(0);
    brokenSince = harness.now();
    await harness.ticks(30);
  }, 180_000);
  afterAll(async () => harness?.close());

  it('frontend, checkout and recommendation log rpc error: code = Unavailable naming productcatalog', async () => {
    for (const component of ['frontend', 'checkout', 'recommendation']) {
      const page = await errorLogs(component, brokenSince);
      expect(page.total, component).toBeGreaterThan(0);
      for (const line of page.lines) {
        expect(line.message).toContain('rpc error: code = Unavailable desc = connection refused: dial tcp productcatalog:3550');
      }
    }
    // Nothing else is broken, and productcatalog itself is silent: it does not run.
    const others = await harness.telemetry.logs.queryComponentLogs({
      scope: BOUTIQUE,
      window: harness.window(brokenSince + 1000),
      levels: ['ERROR'],
      limit: 500,
      sort: 'desc',
    });
    expect(new Set(others.lines.map((line) => line.component))).toEqual(new Set(['frontend', 'checkout', 'recommendation']));
    expect(others.lines.every((line) => line.message.includes('productcatalog:3550'))).toBe(true);
    const silent = await harness.telemetry.logs.queryComponentLogs({
      scope: { ...BOUTIQUE, component: 'productcatalog' },
      window: harness.window(brokenSince + 1000),
      limit: 1,
      sort: 'desc',
    });
    expect(silent.total).toBe(0);
  });

  it('failed traces show the frontend answering 503 and the final error span on the call to productcatalog', async () => {
    const failed = await harness.telemetry.traces.queryTraces({
      scope: { ...BOUTIQUE, component: 'frontend' },
      window: harness.window(brokenSince + 1000),
      errorsOnly: true,
      limit: 100,
      sort: 'desc',
    });
    expect(failed.total).toBeGreaterThan(10);
    const checkout = failed.traces.find((trace) => trace.name === 'POST /cart/checkout') ?? failed.traces[0]!;
    const { spans } = await harness.telemetry.traces.traceSpans({ traceId: checkout.traceId, scope: BOUTIQUE, limit: 500 });
    const root = spans.find((span) => !span.parentSpanId)!;
    expect(root).toMatchObject({ service: 'frontend', status: 'error' });
    expect(root.statusMessage).toMatch(/^HTTP 503: /);
    // The deepest error: an error span none of whose children failed.
    const errors = spans.filter((span) => span.status === 'error');
    const leaves = errors.filter((span: Span) => !errors.some((child) => child.parentSpanId === span.spanId));
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toMatchObject({ kind: 'CLIENT', status: 'error' });
    expect(leaves[0]!.name).toMatch(/^hipstershop\.ProductCatalogService\//);
    expect(leaves[0]!.statusMessage).toBe('rpc error: code = Unavailable desc = connection refused: dial tcp productcatalog:3550');
    expect(spans.some((span) => span.service === 'productcatalog')).toBe(false);
    const details = await harness.telemetry.traces.getSpan(checkout.traceId, leaves[0]!.spanId);
    expect(details?.attributes).toMatchObject({ 'peer.service': 'productcatalog', 'rpc.grpc.status_code': 14 });

    const http = await harness.telemetry.metrics.httpMetrics({
      scope: { ...BOUTIQUE, component: 'frontend' },
      window: harness.window(brokenSince),
      stepSeconds: 30,
    });
    expect(http.errorRate.at(-1)?.value).toBeGreaterThan(0.5);
  });

  it('restoring replicas stops the errors within two ticks and traces succeed again', async () => {
    await setReplicas(1);
    await harness.ticks(1); // the pod is created; it runs from the next tick
    restoredAt = harness.now();
    await harness.ticks(20);
    for (const component of ['frontend', 'checkout', 'recommendation']) {
      expect((await errorLogs(component, restoredAt + 1)).total, component).toBe(0);
    }
    const window = harness.window(restoredAt + 1);
    expect((await harness.telemetry.traces.queryTraces({ scope: BOUTIQUE, window, errorsOnly: true, limit: 10, sort: 'desc' })).total).toBe(
      0,
    );
    const healthy = await harness.telemetry.traces.queryTraces({
      scope: { ...BOUTIQUE, component: 'productcatalog' },
      window,
      limit: 10,
      sort: 'desc',
    });
    expect(healthy.total).toBeGreaterThan(10);
    const binding = await harness.store.get('ReleaseBinding', 'default', 'productcatalog-development');
    expect(binding?.status).toMatchObject({ readyReplicas: 1, desiredReplicas: 1 });
  });
});
