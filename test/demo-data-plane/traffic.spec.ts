import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../servers/observability-plane/backends/telemetry-backend.js';
import { BOUTIQUE, startHarness, USER, type Harness } from './harness.js';

const GiB = 1024 ** 3;
const last = (points: Array<{ value: number }>) => points.at(-1)?.value ?? Number.NaN;

describe('demo data plane: traffic, logs, traces and metrics', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ requestsPerSecond: 5, trickleRequestsPerSecond: 1 });
    // Scenario 5's over-allocation: frontend requests 2 CPU / 2Gi.
    await harness.store.modify('ReleaseBinding', 'default', 'frontend-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, overrides: { resources: { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } } } },
    }));
    // And recommendation squeezed below what it needs: 5m CPU.
    await harness.store.modify('ReleaseBinding', 'default', 'recommendation-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, overrides: { resources: { requests: { cpu: '5m' }, limits: { cpu: '5m' } } } },
    }));
    await harness.ticks(90);
  }, 180_000);
  afterAll(async () => harness?.close());

  it('every request is a trace rooted at the frontend, with consistent parent ids across the services it called', async () => {
    const page = await harness.telemetry.traces.queryTraces({ scope: BOUTIQUE, window: harness.window(), limit: 200, sort: 'desc' });
    expect(page.total).toBeGreaterThan(200);
    expect(page.traces.every((trace) => trace.rootService === 'frontend' && trace.errorSpanCount === 0)).toBe(true);
    const checkout = page.traces.find((trace) => trace.name === 'POST /cart/checkout');
    expect(checkout, 'a checkout trace').toBeDefined();
    expect(checkout!.services).toEqual(
      expect.arrayContaining([
        'frontend',
        'checkout',
        'cart',
        'productcatalog',
        'currency',
        'shipping',
        'payment',
        'email',
        'recommendation',
      ]),
    );

    const { spans } = await harness.telemetry.traces.traceSpans({ traceId: checkout!.traceId, scope: BOUTIQUE, limit: 500 });
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const roots = spans.filter((span) => !span.parentSpanId);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ name: 'POST /cart/checkout', service: 'frontend', kind: 'SERVER', status: 'ok' });
    for (const span of spans.filter((item) => item.parentSpanId)) {
      const parent = byId.get(span.parentSpanId!);
      expect(parent, `parent of ${span.name}`).toBeDefined();
      expect(Date.parse(span.startTime)).toBeGreaterThanOrEqual(Date.parse(parent!.startTime));
      if (span.kind === 'SERVER') {
        // A callee's SERVER span hangs under its caller's CLIENT span of the same RPC.
        expect(parent).toMatchObject({ kind: 'CLIENT', name: span.name });
        expect(parent!.service).not.toBe(span.service);
      } else {
        expect(parent).toMatchObject({ kind: 'SERVER', service: span.service });
      }
    }
    const placeOrder = spans.find((span: Span) => span.kind === 'SERVER' && span.name === 'hipstershop.CheckoutService/PlaceOrder')!;
    const calledByCheckout = spans
      .filter((span) => span.kind === 'CLIENT' && span.parentSpanId === placeOrder.spanId)
      .map((span) => span.name);
    expect(calledByCheckout).toEqual([
      'hipstershop.CartService/GetCart',
      'hipstershop.ProductCatalogService/GetProduct',
      'hipstershop.CurrencyService/Convert',
      'hipstershop.ShippingService/GetQuote',
      'hipstershop.CurrencyService/Convert',
      'hipstershop.PaymentService/Charge',
      'hipstershop.ShippingService/ShipOrder',
      'hipstershop.CartService/EmptyCart',
      'hipstershop.EmailService/SendOrderConfirmation',
    ]);
    const details = await harness.telemetry.traces.getSpan(checkout!.traceId, placeOrder.spanId);
    expect(details?.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'hipstershop.CheckoutService',
      'rpc.method': 'PlaceOrder',
    });
    expect(details?.resource['k8s.pod.name']).toMatch(/^checkout-[0-9a-f]{10}-[a-z0-9]{5}$/);
  });

  it('every service logs its hops (access lines with the trace id); the greeter gets a trickle of GET /greeter/greet', async () => {
    for (const component of [
      'frontend',
      'productcatalog',
      'currency',
      'cart',
      'checkout',
      'recommendation',
      'shipping',
      'payment',
      'email',
      'ad',
    ]) {
      const page = await harness.telemetry.logs.queryComponentLogs({
        scope: { ...BOUTIQUE, component },
        window: harness.window(),
        levels: ['INFO'],
        search: 'trace_id=',
        limit: 5,
        sort: 'desc',
      });
      expect(page.total, component).toBeGreaterThan(0);
      expect(page.lines[0]!.message).toMatch(/^(request complete|finished call) .* trace_id=[0-9a-f]{32}$/);
    }
    const frontend = await harness.telemetry.logs.queryComponentLogs({
      scope: { ...BOUTIQUE, component: 'frontend' },
      window: harness.window(),
      search: 'request complete',
      limit: 1,
      sort: 'desc',
    });
    expect(frontend.lines[0]).toMatchObject({ level: 'INFO', pod: expect.stringMatching(/^frontend-/), container: 'main' });
    const errors = await harness.telemetry.logs.queryComponentLogs({
      scope: BOUTIQUE,
      window: harness.window(),
      levels: ['ERROR'],
      limit: 5,
      sort: 'desc',
    });
    expect(errors.total).toBe(0);
    const greeter = await harness.telemetry.logs.queryComponentLogs({
      scope: { namespace: 'default', project: 'default', component: 'greeting-service', environment: 'development' },
      window: harness.window(),
      search: 'GET path=/greeter/greet?name=',
      limit: 5,
      sort: 'desc',
    });
    expect(greeter.total).toBeGreaterThan(30);
  });

  it('CPU and memory usage follow traffic, far below an over-allocated request; HTTP metrics show the request rate', async () => {
    const frontend = await harness.telemetry.metrics.resourceMetrics({
      scope: { ...BOUTIQUE, component: 'frontend' },
      window: harness.window(),
      stepSeconds: 15,
    });
    expect(last(frontend.cpuRequests)).toBe(2);
    expect(last(frontend.cpuLimits)).toBe(2);
    expect(last(frontend.memoryRequests)).toBe(2 * GiB);
    const cpu = last(frontend.cpuUsage);
    expect(cpu).toBeGreaterThan(0.01);
    expect(cpu).toBeLessThan(0.2); // < 10 % of the 2 cores requested
    const memory = last(frontend.memoryUsage);
    expect(memory).toBeGreaterThan(50 * 1024 * 1024);
    expect(memory).toBeLessThan(0.1 * 2 * GiB);

    const productcatalog = await harness.telemetry.metrics.resourceMetrics({
      scope: { ...BOUTIQUE, component: 'productcatalog' },
      window: harness.window(),
      stepSeconds: 15,
    });
    expect(last(productcatalog.cpuRequests)).toBeCloseTo(0.1);
    expect(last(productcatalog.cpuUsage)).toBeLessThan(0.05);

    // CPU demand above the limit is throttled: usage pins at the limit (and the service slows down).
    const recommendation = await harness.telemetry.metrics.resourceMetrics({
      scope: { ...BOUTIQUE, component: 'recommendation' },
      window: harness.window(),
      stepSeconds: 15,
    });
    expect(last(recommendation.cpuLimits)).toBeCloseTo(0.005);
    expect(last(recommendation.cpuUsage)).toBeGreaterThan(0.0045);
    expect(last(recommendation.cpuUsage)).toBeLessThanOrEqual(0.0050001);
    const slow = await harness.telemetry.metrics.httpMetrics({
      scope: { ...BOUTIQUE, component: 'recommendation' },
      window: harness.window(),
      stepSeconds: 15,
    });
    const quick = await harness.telemetry.metrics.httpMetrics({
      scope: { ...BOUTIQUE, component: 'productcatalog' },
      window: harness.window(),
      stepSeconds: 15,
    });
    expect(last(slow.latencyP50Ms)).toBeGreaterThan(2 * last(quick.latencyP50Ms));

    const http = await harness.telemetry.metrics.httpMetrics({
      scope: { ...BOUTIQUE, component: 'frontend' },
      window: harness.window(),
      stepSeconds: 15,
    });
    expect(last(http.requestRate)).toBeGreaterThan(3);
    expect(last(http.requestRate)).toBeLessThan(7);
    expect(last(http.errorRate)).toBe(0);
    expect(last(http.latencyP50Ms)).toBeGreaterThan(0);
  });
});
