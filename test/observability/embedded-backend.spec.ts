import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLevel, TelemetryScope } from '../../servers/observability-plane/backends/telemetry-backend.js';
import { createEmbeddedBackend } from '../../servers/observability-plane/backends/embedded/embedded-backend.js';
import { histogramQuantile } from '../../servers/observability-plane/backends/embedded/store/metric-math.js';
import {
  TelemetryStore,
  type LogRecordInput,
  type MetricSampleInput,
  type SpanInput,
} from '../../servers/observability-plane/backends/embedded/store/telemetry-store.js';

const dirs: string[] = [];
function tempFile(name = 'observability.sqlite'): string {
  const dir = mkdtempSync(join(tmpdir(), 'plane-mcp-embedded-'));
  dirs.push(dir);
  return join(dir, 'nested', name);
}
const stores: TelemetryStore[] = [];
function openStore(options: ConstructorParameters<typeof TelemetryStore>[1] = {}): TelemetryStore {
  const store = new TelemetryStore(tempFile(), { sweepIntervalMs: 0, ...options });
  stores.push(store);
  return store;
}
afterAll(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const MINUTE = 60_000;
/** A minute-aligned base time two hours ago (inside the default 24 h retention). */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / MINUTE) * MINUTE;
const at = (ms: number) => new Date(ms);
const us = (ms: number) => ms * 1000;
const window = (fromMs: number, toMs: number) => ({ start: at(fromMs), end: at(toMs) });
const LEVELS: LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

const cartDev: TelemetryScope = { namespace: 'default', project: 'shop', component: 'cart', environment: 'development' };
const cartProd: TelemetryScope = { namespace: 'default', project: 'shop', component: 'cart', environment: 'production' };
const frontendDev: TelemetryScope = { namespace: 'default', project: 'shop', component: 'frontend', environment: 'development' };
const invoicesDev: TelemetryScope = { namespace: 'default', project: 'billing', component: 'invoices', environment: 'development' };
const otherCart: TelemetryScope = { namespace: 'other', project: 'shop', component: 'cart', environment: 'development' };

describe('embedded telemetry store: component and workflow logs', () => {
  let store: TelemetryStore;
  const hour = window(T0, T0 + 60 * MINUTE);
  const searchScope: TelemetryScope = { namespace: 'default', project: 'search', component: 'svc', environment: 'development' };
  const searchMessages = [
    '100% done',
    '1000 done',
    'file_name here',
    'filename here',
    'path C:\\temp\\x',
    "it's fine",
    '" OR 1=1 --',
    'Ärger im Büro',
    'ärger klein',
    '日本語のログ',
    'plain TEXT line',
  ];

  beforeAll(() => {
    store = openStore();
    const records: LogRecordInput[] = [];
    [cartDev, cartProd, frontendDev, invoicesDev, otherCart].forEach((scope, s) => {
      LEVELS.forEach((level, i) => {
        records.push({
          timeUs: us(T0 + (s * 4 + i) * MINUTE),
          level,
          message: `${scope.component}/${scope.environment} ${level} line ${i}`,
          scope,
          pod: `${scope.component}-pod`,
          container: 'main',
        });
      });
    });
    searchMessages.forEach((message, i) =>
      records.push({ timeUs: us(T0 + 30 * MINUTE + i * 1000), level: 'INFO', message, scope: searchScope }),
    );
    // Workflow (build) logs: their own table, never component logs.
    records.push(
      {
        timeUs: us(T0 + MINUTE),
        level: 'INFO',
        message: 'cloning repository',
        scope: { namespace: 'default', project: 'shop', component: 'cart' },
        runName: 'cart-build-1',
        task: 'clone',
      },
      {
        timeUs: us(T0 + 2 * MINUTE),
        level: 'ERROR',
        message: 'Dockerfile not found: ./docker/Dockerfile',
        scope: { namespace: 'default', project: 'shop', component: 'cart' },
        runName: 'cart-build-1',
        task: 'build',
      },
      {
        timeUs: us(T0 + 3 * MINUTE),
        level: 'INFO',
        message: 'build ok',
        scope: { namespace: 'default', project: 'shop', component: 'frontend' },
        runName: 'frontend-build-7',
        task: 'build',
      },
      {
        timeUs: us(T0 + 3 * MINUTE),
        level: 'INFO',
        message: 'build ok',
        scope: { namespace: 'other' },
        runName: 'cart-build-1',
        task: 'build',
      },
    );
    store.insertLogs(records);
  });

  const count = async (scope: TelemetryScope, extra: { levels?: LogLevel[]; search?: string } = {}) =>
    (await store.queryComponentLogs({ scope, window: hour, limit: 1000, sort: 'desc', ...extra })).lines.length;

  it('narrows by each scope field', async () => {
    expect(await count({ namespace: 'default' })).toBe(16 + searchMessages.length);
    expect(await count({ namespace: 'default', project: 'shop' })).toBe(12);
    expect(await count({ namespace: 'default', project: 'shop', component: 'cart' })).toBe(8);
    expect(await count(cartDev)).toBe(4);
    expect(await count({ namespace: 'default', project: 'shop', environment: 'production' })).toBe(4);
    expect(await count({ namespace: 'default', environment: 'development' })).toBe(12 + searchMessages.length);
    expect(await count({ namespace: 'other' })).toBe(4);
    expect(await count({ namespace: 'nobody' })).toBe(0);
    const page = await store.queryComponentLogs({ scope: cartProd, window: hour, limit: 10, sort: 'desc' });
    expect(
      page.lines.every(
        (l) => l.namespace === 'default' && l.project === 'shop' && l.component === 'cart' && l.environment === 'production',
      ),
    ).toBe(true);
  });

  it('returns complete log lines', async () => {
    const page = await store.queryComponentLogs({ scope: cartDev, window: hour, limit: 1, sort: 'asc' });
    expect(page.lines[0]).toEqual({
      timestamp: new Date(T0).toISOString(),
      level: 'DEBUG',
      message: 'cart/development DEBUG line 0',
      namespace: 'default',
      project: 'shop',
      component: 'cart',
      environment: 'development',
      pod: 'cart-pod',
      container: 'main',
    });
  });

  it('filters by level', async () => {
    const page = await store.queryComponentLogs({ scope: cartDev, window: hour, levels: ['ERROR', 'WARN'], limit: 10, sort: 'asc' });
    expect(page.lines.map((l) => l.level)).toEqual(['WARN', 'ERROR']);
    expect(await count(cartDev, { levels: [] })).toBe(4);
    expect(await count(cartDev, { levels: ['DEBUG'] })).toBe(1);
  });

  it('searches a case-insensitive literal, never a pattern or SQL', async () => {
    const hits = async (search: string) =>
      (await store.queryComponentLogs({ scope: searchScope, window: hour, search, limit: 100, sort: 'asc' })).lines.map((l) => l.message);
    expect(await hits('%')).toEqual(['100% done']);
    expect(await hits('0%')).toEqual(['100% done']);
    expect(await hits('_')).toEqual(['file_name here']);
    expect(await hits('file_name')).toEqual(['file_name here']);
    expect(await hits('\\')).toEqual(['path C:\\temp\\x']);
    expect(await hits('\\temp\\')).toEqual(['path C:\\temp\\x']);
    expect(await hits("'")).toEqual(["it's fine"]);
    expect(await hits('" OR 1=1 --')).toEqual(['" OR 1=1 --']);
    expect(await hits("' OR '1'='1")).toEqual([]);
    expect(await hits('plain text')).toEqual(['plain TEXT line']);
    expect(await hits('ÄRGER')).toEqual(['Ärger im Büro', 'ärger klein']);
    expect(await hits('büro')).toEqual(['Ärger im Büro']);
    expect(await hits('日本')).toEqual(['日本語のログ']);
    expect(await hits('')).toHaveLength(searchMessages.length);
    // The whole scope still applies around the search.
    expect(await count({ namespace: 'other' }, { search: 'line' })).toBe(4);
  });

  it('honours limit, sort and total', async () => {
    const desc = await store.queryComponentLogs({ scope: cartDev, window: hour, limit: 2, sort: 'desc' });
    expect(desc.lines.map((l) => l.level)).toEqual(['ERROR', 'WARN']);
    expect(desc).toMatchObject({ total: 4, totalExact: true });
    const asc = await store.queryComponentLogs({ scope: cartDev, window: hour, limit: 2, sort: 'asc' });
    expect(asc.lines.map((l) => l.level)).toEqual(['DEBUG', 'INFO']);
    const none = await store.queryComponentLogs({ scope: cartDev, window: hour, limit: 0, sort: 'asc' });
    expect(none).toMatchObject({ lines: [], total: 4, totalExact: true });
  });

  it('caps counting and says so', async () => {
    const capped = openStore({ countCap: 3 });
    capped.insertLogs(LEVELS.map((level, i) => ({ timeUs: us(T0 + i * MINUTE), level, message: 'x', scope: cartDev })));
    const page = await capped.queryComponentLogs({ scope: cartDev, window: hour, limit: 2, sort: 'desc' });
    expect(page).toMatchObject({ total: 3, totalExact: false });
    expect(page.lines).toHaveLength(2);
    expect(await capped.countComponentLogs({ scope: cartDev, window: hour })).toBe(4);
  });

  it('uses a half-open window', async () => {
    const lines = async (from: number, to: number) =>
      (await store.queryComponentLogs({ scope: cartDev, window: window(from, to), limit: 10, sort: 'asc' })).lines.map((l) => l.level);
    expect(await lines(T0, T0 + MINUTE)).toEqual(['DEBUG']);
    expect(await lines(T0 + 1, T0 + 2 * MINUTE + 1)).toEqual(['INFO', 'WARN']);
  });

  it('counts component logs for alert rules', async () => {
    expect(await store.countComponentLogs({ scope: cartDev, window: hour })).toBe(4);
    expect(await store.countComponentLogs({ scope: { namespace: 'default', project: 'shop' }, window: hour, levels: ['ERROR'] })).toBe(3);
    expect(await store.countComponentLogs({ scope: { namespace: 'default' }, window: hour, search: 'ERROR line' })).toBe(4);
  });

  it('keeps workflow logs apart and filters them by run, task, level and search', async () => {
    const query = (extra: Partial<Parameters<TelemetryStore['queryWorkflowLogs']>[0]>) =>
      store.queryWorkflowLogs({ namespace: 'default', window: hour, limit: 100, sort: 'asc', ...extra });
    const run = await query({ runName: 'cart-build-1' });
    expect(run.lines.map((l) => l.message)).toEqual(['cloning repository', 'Dockerfile not found: ./docker/Dockerfile']);
    expect(run.lines[1]).toMatchObject({ runName: 'cart-build-1', task: 'build', level: 'ERROR', component: 'cart' });
    expect((await query({ runName: 'cart-build-1', task: 'build' })).lines).toHaveLength(1);
    expect((await query({ runName: 'cart-build-1', levels: ['ERROR'] })).lines).toHaveLength(1);
    expect((await query({ runName: 'cart-build-1', search: 'DOCKERFILE' })).lines).toHaveLength(1);
    expect((await query({})).total).toBe(3);
    expect(
      (await store.queryWorkflowLogs({ namespace: 'other', runName: 'cart-build-1', window: hour, limit: 10, sort: 'asc' })).lines,
    ).toHaveLength(1);
    expect(await count({ namespace: 'default' }, { search: 'Dockerfile' })).toBe(0);
  });
});

describe('embedded telemetry store: traces', () => {
  let store: TelemetryStore;
  const hour = window(T0, T0 + 60 * MINUTE);
  const shop = (component: string): TelemetryScope => ({ namespace: 'default', project: 'shop', component, environment: 'development' });
  const id = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
  const span = (
    trace: number,
    spanNo: number,
    parent: number | undefined,
    component: string,
    startMs: number,
    durationMs: number,
    extra: Partial<SpanInput> = {},
  ): SpanInput => ({
    traceId: id(trace, 16),
    spanId: id(trace * 100 + spanNo, 8),
    ...(parent !== undefined ? { parentSpanId: id(trace * 100 + parent, 8) } : {}),
    name: `${component} op ${spanNo}`,
    kind: parent === undefined ? 'SERVER' : 'CLIENT',
    service: component,
    startUs: us(startMs),
    endUs: us(startMs + durationMs),
    status: 'ok',
    scope: shop(component),
    ...extra,
  });
  const A = T0 + 10 * MINUTE;
  const B = T0 + 20 * MINUTE;
  const C = T0 - 60 * MINUTE;
  const E = T0 + 30 * MINUTE;

  beforeAll(() => {
    store = openStore();
    store.insertSpans([
      // A: frontend → cart, productcatalog (100 ms)
      span(0xa, 1, undefined, 'frontend', A, 100, {
        attributes: { 'http.method': 'GET', 'http.route': '/cart' },
        resource: { 'service.name': 'frontend', 'k8s.pod.name': 'frontend-1' },
      }),
      span(0xa, 2, 1, 'cart', A + 10, 30, { attributes: { 'rpc.method': 'GetCart' } }),
      span(0xa, 3, 1, 'productcatalog', A + 50, 20),
      // B: frontend → checkout (error, 500 ms)
      span(0xb, 1, undefined, 'frontend', B, 500),
      span(0xb, 2, 1, 'checkout', B + 5, 400, { status: 'error', statusMessage: 'rpc error: code = Unavailable' }),
      // C: root before the window, a child inside it: not listed
      span(0xc, 1, undefined, 'frontend', C, 61 * MINUTE),
      span(0xc, 2, 1, 'cart', T0 + 5 * MINUTE, 10),
      // D: another namespace
      { ...span(0xd, 1, undefined, 'frontend', A, 10), scope: { namespace: 'other', project: 'shop', component: 'frontend' } },
      // E: slow (2 s), through cart
      span(0xe, 1, undefined, 'frontend', E, 2000),
      span(0xe, 2, 1, 'cart', E + 5, 1900),
    ]);
  });

  const traces = (extra: Partial<Parameters<TelemetryStore['queryTraces']>[0]> = {}) =>
    store.queryTraces({ scope: { namespace: 'default' }, window: hour, limit: 100, sort: 'desc', ...extra });

  it('aggregates spans per trace, root in window', async () => {
    const page = await traces();
    expect(page.traces.map((t) => t.traceId)).toEqual([id(0xe, 16), id(0xb, 16), id(0xa, 16)]);
    expect(page).toMatchObject({ total: 3, totalExact: true });
    expect(page.traces[2]).toEqual({
      traceId: id(0xa, 16),
      name: 'frontend op 1',
      rootService: 'frontend',
      startTime: new Date(A).toISOString(),
      endTime: new Date(A + 100).toISOString(),
      durationMs: 100,
      spanCount: 3,
      errorSpanCount: 0,
      services: ['cart', 'frontend', 'productcatalog'],
    });
    expect(page.traces[1]).toMatchObject({ errorSpanCount: 1, spanCount: 2, durationMs: 500, services: ['checkout', 'frontend'] });
  });

  it('filters errors only and by minimum duration', async () => {
    expect((await traces({ errorsOnly: true })).traces.map((t) => t.traceId)).toEqual([id(0xb, 16)]);
    expect((await traces({ minDurationMs: 400 })).traces.map((t) => t.traceId)).toEqual([id(0xe, 16), id(0xb, 16)]);
    expect((await traces({ minDurationMs: 1000 })).traces.map((t) => t.traceId)).toEqual([id(0xe, 16)]);
    expect(await traces({ minDurationMs: 1000, errorsOnly: true })).toMatchObject({ traces: [], total: 0 });
  });

  it('lists a trace only when its root lies in the window', async () => {
    const wide = await traces({ window: window(T0 - 2 * 60 * MINUTE, T0 + 60 * MINUTE) });
    expect(wide.traces.map((t) => t.traceId)).toContain(id(0xc, 16));
    expect((await traces()).traces.map((t) => t.traceId)).not.toContain(id(0xc, 16));
    // A window that cuts trace B's spans: B's root is outside → not listed.
    expect((await traces({ window: window(B + 1, B + 2000) })).traces).toEqual([]);
  });

  it('narrows to the scope, counting only in-scope spans', async () => {
    const cart = await traces({ scope: shop('cart') });
    expect(cart.traces.map((t) => t.traceId)).toEqual([id(0xe, 16), id(0xa, 16)]);
    expect(cart.traces[1]).toMatchObject({ name: 'cart op 2', rootService: 'cart', spanCount: 1, services: ['cart'], durationMs: 30 });
    expect((await traces({ scope: { namespace: 'other' } })).traces.map((t) => t.traceId)).toEqual([id(0xd, 16)]);
    expect((await traces({ scope: { namespace: 'default', project: 'billing' } })).traces).toEqual([]);
  });

  it('sorts and limits, total counting every match', async () => {
    const page = await traces({ sort: 'asc', limit: 1 });
    expect(page.traces.map((t) => t.traceId)).toEqual([id(0xa, 16)]);
    expect(page.total).toBe(3);
    expect(await traces({ limit: 0 })).toMatchObject({ traces: [], total: 3 });
  });

  it('returns a trace’s spans in start order, scoped', async () => {
    const all = await store.traceSpans({ traceId: id(0xa, 16), scope: { namespace: 'default' }, limit: 100 });
    expect(all.spans.map((s) => s.name)).toEqual(['frontend op 1', 'cart op 2', 'productcatalog op 3']);
    expect(all.total).toBe(3);
    expect(all.spans[1]).toEqual({
      traceId: id(0xa, 16),
      spanId: id(0xa * 100 + 2, 8),
      parentSpanId: id(0xa * 100 + 1, 8),
      name: 'cart op 2',
      kind: 'CLIENT',
      service: 'cart',
      startTime: new Date(A + 10).toISOString(),
      endTime: new Date(A + 40).toISOString(),
      durationMs: 30,
      status: 'ok',
      scope: shop('cart'),
    });
    const cartOnly = await store.traceSpans({ traceId: id(0xa, 16), scope: shop('cart'), limit: 100 });
    expect(cartOnly.spans.map((s) => s.name)).toEqual(['cart op 2']);
    const limited = await store.traceSpans({ traceId: id(0xa, 16), scope: { namespace: 'default' }, limit: 2 });
    expect(limited).toMatchObject({ total: 3 });
    expect(limited.spans).toHaveLength(2);
    const windowed = await store.traceSpans({ traceId: id(0xc, 16), scope: { namespace: 'default' }, window: hour, limit: 10 });
    expect(windowed.spans.map((s) => s.name)).toEqual(['cart op 2']);
    expect((await store.traceSpans({ traceId: id(0xa, 16), scope: { namespace: 'other' }, limit: 10 })).spans).toEqual([]);
  });

  it('gets one span with attributes and resource, unscoped', async () => {
    const root = await store.getSpan(id(0xa, 16).toUpperCase(), id(0xa * 100 + 1, 8));
    expect(root).toMatchObject({
      name: 'frontend op 1',
      kind: 'SERVER',
      scope: shop('frontend'),
      attributes: { 'http.method': 'GET', 'http.route': '/cart' },
      resource: { 'service.name': 'frontend', 'k8s.pod.name': 'frontend-1' },
    });
    expect(root?.parentSpanId).toBeUndefined();
    const failed = await store.getSpan(id(0xb, 16), id(0xb * 100 + 2, 8));
    expect(failed).toMatchObject({ status: 'error', statusMessage: 'rpc error: code = Unavailable', attributes: {}, resource: {} });
    expect(await store.getSpan(id(0xa, 16), id(999, 8))).toBeUndefined();
    expect(await store.getSpan("' OR 1=1 --", 'x')).toBeUndefined();
  });
});

describe('embedded telemetry store: metrics', () => {
  let store: TelemetryStore;
  const START = T0;
  const scope = cartDev;
  const GiB = 1024 ** 3;
  const MiB = 1024 ** 2;

  /** Samples every 15 s for 12 minutes. */
  function series(
    name: string,
    sampleScope: TelemetryScope,
    labels: Record<string, string>,
    valueAt: (seconds: number) => number,
    temporality: MetricSampleInput['temporality'],
    pod = 'cart-1',
  ): MetricSampleInput[] {
    const out: MetricSampleInput[] = [];
    for (let s = 0; s <= 12 * 60; s += 15) {
      const timeMs = START + s * 1000;
      const startMs = temporality === 'delta' ? timeMs - 15_000 : START - 1000;
      out.push({ name, scope: sampleScope, labels, resource: { 'k8s.pod.name': pod }, timeMs, startMs, value: valueAt(s), temporality });
    }
    return out;
  }

  beforeAll(() => {
    store = openStore();
    store.insertMetricSamples([
      // CPU: 0.25 + 0.5 cores in two pods; the pod-level series (container="") and another component are excluded.
      ...series('container_cpu_usage_seconds_total', scope, { container: 'main' }, (s) => 100 + 0.25 * s, 'cumulative', 'cart-1'),
      ...series('container_cpu_usage_seconds_total', scope, { container: 'main' }, (s) => 0.5 * s, 'cumulative', 'cart-2'),
      ...series('container_cpu_usage_seconds_total', scope, { container: '' }, (s) => 10 * s, 'cumulative', 'cart-1'),
      ...series('container_cpu_usage_seconds_total', frontendDev, { container: 'main' }, (s) => 3 * s, 'cumulative', 'frontend-1'),
      // A counter that resets at 300 s still rates 1 core.
      ...series(
        'container_cpu_usage_seconds_total',
        invoicesDev,
        { container: 'main' },
        (s) => (s < 300 ? 50 + s : s - 285),
        'cumulative',
        'invoices-1',
      ),
      ...series('container_memory_working_set_bytes', scope, { container: 'main' }, () => 100 * MiB, 'gauge', 'cart-1'),
      ...series('container_memory_working_set_bytes', scope, { container: 'main' }, () => 200 * MiB, 'gauge', 'cart-2'),
      ...series('kube_pod_container_resource_requests', scope, { resource: 'cpu' }, () => 0.5, 'gauge', 'cart-1'),
      ...series('kube_pod_container_resource_requests', scope, { resource: 'cpu' }, () => 0.5, 'gauge', 'cart-2'),
      ...series('kube_pod_container_resource_limits', scope, { resource: 'cpu' }, () => 1, 'gauge', 'cart-1'),
      ...series('kube_pod_container_resource_requests', scope, { resource: 'memory' }, () => 256 * MiB, 'gauge', 'cart-1'),
      ...series('kube_pod_container_resource_limits', scope, { resource: 'memory' }, () => GiB, 'gauge', 'cart-1'),
      // HTTP: 10 rps 200, 1 rps 503, 1 rps 404 (server side); a client-side series is ignored.
      ...series('hubble_http_requests_total', scope, { status: '200', reporter: 'server' }, (s) => 10 * s, 'cumulative'),
      ...series('hubble_http_requests_total', scope, { status: '503', reporter: 'server' }, (s) => 1 * s, 'cumulative'),
      ...series('hubble_http_requests_total', scope, { status: '404' }, (s) => 1 * s, 'cumulative'),
      ...series('hubble_http_requests_total', scope, { status: '200', reporter: 'client' }, (s) => 100 * s, 'cumulative'),
      // Latency histogram: per 100 requests 40 ≤ 10 ms, 40 in (10, 100] ms, 18 in (100, 500] ms, 2 in (500, 1000] ms.
      ...(
        [
          ['0.01', 40],
          ['0.1', 80],
          ['0.5', 98],
          ['1', 100],
          ['+Inf', 100],
        ] as const
      ).flatMap(([le, perHundred]) =>
        series(
          'hubble_http_request_duration_seconds_bucket',
          scope,
          { le, reporter: 'server' },
          (s) => (perHundred / 100) * 12 * s,
          'cumulative',
        ),
      ),
      // Delta temporality: 30 requests per 15 s = 2 rps, in another component.
      ...series('hubble_http_requests_total', frontendDev, { status: '200' }, () => 30, 'delta', 'frontend-1'),
    ]);
  });

  const query = (q: Partial<Parameters<TelemetryStore['resourceMetrics']>[0]> = {}) => ({
    scope,
    window: window(START + 2 * MINUTE, START + 8 * MINUTE),
    stepSeconds: 60,
    ...q,
  });
  const values = (points: { value: number }[]) => points.map((p) => Number(p.value.toFixed(6)));

  it('computes CPU usage as the rate of the cpu-seconds counter, memory and requests/limits as gauges', async () => {
    const m = await store.resourceMetrics(query());
    expect(m.cpuUsage.map((p) => p.timestamp)).toEqual([2, 3, 4, 5, 6, 7, 8].map((i) => new Date(START + i * MINUTE).toISOString()));
    expect(values(m.cpuUsage)).toEqual(Array(7).fill(0.75));
    expect(values(m.memoryUsage)).toEqual(Array(7).fill(300 * MiB));
    expect(values(m.cpuRequests)).toEqual(Array(7).fill(1));
    expect(values(m.cpuLimits)).toEqual(Array(7).fill(1));
    expect(values(m.memoryRequests)).toEqual(Array(7).fill(256 * MiB));
    expect(values(m.memoryLimits)).toEqual(Array(7).fill(GiB));
  });

  it('handles counter resets and narrows by scope', async () => {
    const invoices = await store.resourceMetrics(query({ scope: invoicesDev }));
    expect(values(invoices.cpuUsage)).toEqual(Array(7).fill(1));
    expect(invoices.memoryUsage).toEqual([]);
    const project = await store.resourceMetrics(query({ scope: { namespace: 'default', project: 'shop' } }));
    expect(values(project.cpuUsage)).toEqual(Array(7).fill(3.75));
    const nothing = await store.resourceMetrics(query({ scope: otherCart }));
    expect(Object.values(nothing).every((s) => s.length === 0)).toBe(true);
  });

  it('buckets by step', async () => {
    const m = await store.resourceMetrics(query({ stepSeconds: 120 }));
    expect(m.cpuUsage).toHaveLength(4);
    expect(values(m.cpuUsage)).toEqual(Array(4).fill(0.75));
    // Points after the last sample have no data.
    const late = await store.resourceMetrics(query({ window: window(START + 10 * MINUTE, START + 20 * MINUTE) }));
    expect(late.cpuUsage.length).toBeLessThan(11);
    expect(late.cpuUsage.length).toBeGreaterThan(0);
    await expect(store.resourceMetrics(query({ stepSeconds: 0 }))).rejects.toThrow(/step/);
  });

  it('computes HTTP request rate, error ratio and latency percentiles', async () => {
    const m = await store.httpMetrics(query());
    expect(values(m.requestRate)).toEqual(Array(7).fill(12));
    expect(values(m.errorRate)).toEqual(Array(7).fill(Number((2 / 12).toFixed(6))));
    expect(values(m.latencyP50Ms)).toEqual(Array(7).fill(32.5));
    expect(values(m.latencyP90Ms)).toEqual(Array(7).fill(Number((1000 * (0.1 + 0.4 * (10 / 18))).toFixed(6))));
    expect(values(m.latencyP99Ms)).toEqual(Array(7).fill(750));
    const delta = await store.httpMetrics(query({ scope: frontendDev }));
    expect(values(delta.requestRate)).toEqual(Array(7).fill(2));
    expect(values(delta.errorRate)).toEqual(Array(7).fill(0));
    expect(delta.latencyP50Ms).toEqual([]);
  });

  it('interpolates quantiles like Prometheus', () => {
    const buckets = [
      { upper: 0.1, count: 10 },
      { upper: 1, count: 20 },
      { upper: Infinity, count: 30 },
    ];
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.075);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.55);
    expect(histogramQuantile(0.99, buckets)).toBe(1);
    expect(histogramQuantile(0.5, [{ upper: 1, count: 3 }])).toBeUndefined();
    expect(
      histogramQuantile(0.5, [
        { upper: 1, count: 0 },
        { upper: Infinity, count: 0 },
      ]),
    ).toBeUndefined();
  });
});

describe('embedded telemetry store: retention and lifecycle', () => {
  it('deletes rows older than the retention age', async () => {
    const store = openStore({ retentionHours: 1 });
    const now = Date.now();
    const old = now - 2 * 3_600_000;
    const fresh = now - 10 * MINUTE;
    store.insertLogs([
      { timeUs: us(old), level: 'INFO', message: 'old', scope: cartDev },
      { timeUs: us(fresh), level: 'INFO', message: 'fresh', scope: cartDev },
      { timeUs: us(old), level: 'INFO', message: 'old build', scope: cartDev, runName: 'r1' },
    ]);
    const spanAt = (ms: number, n: number): SpanInput => ({
      traceId: n.toString(16).padStart(32, '0'),
      spanId: n.toString(16).padStart(16, '0'),
      name: 's',
      startUs: us(ms),
      endUs: us(ms + 5),
      status: 'ok',
      scope: cartDev,
    });
    store.insertSpans([spanAt(old, 1), spanAt(fresh, 2)]);
    store.insertMetricSamples([
      {
        name: 'container_memory_working_set_bytes',
        scope: cartDev,
        labels: { container: 'old' },
        timeMs: old,
        value: 1,
        temporality: 'gauge',
      },
      {
        name: 'container_memory_working_set_bytes',
        scope: cartDev,
        labels: { container: 'main' },
        timeMs: old,
        value: 1,
        temporality: 'gauge',
      },
      {
        name: 'container_memory_working_set_bytes',
        scope: cartDev,
        labels: { container: 'main' },
        timeMs: fresh,
        value: 2,
        temporality: 'gauge',
      },
    ]);
    expect(store.applyRetention(now)).toEqual({ logs: 1, workflowLogs: 1, spans: 1, samples: 2, series: 1 });
    const all = window(now - 3 * 3_600_000, now);
    expect((await store.queryComponentLogs({ scope: cartDev, window: all, limit: 10, sort: 'asc' })).lines.map((l) => l.message)).toEqual([
      'fresh',
    ]);
    expect((await store.queryWorkflowLogs({ namespace: 'default', window: all, limit: 10, sort: 'asc' })).lines).toEqual([]);
    expect(await store.getSpan('1'.padStart(32, '0'), '1'.padStart(16, '0'))).toBeUndefined();
    expect(await store.getSpan('2'.padStart(32, '0'), '2'.padStart(16, '0'))).toBeDefined();
    expect(store.applyRetention(now)).toEqual({ logs: 0, workflowLogs: 0, spans: 0, samples: 0, series: 0 });
    // The series cache was cleared with the deleted series: new samples still land.
    store.insertMetricSamples([
      {
        name: 'container_memory_working_set_bytes',
        scope: cartDev,
        labels: { container: 'old' },
        timeMs: now - 1000,
        value: 5,
        temporality: 'gauge',
      },
    ]);
    const memory = await store.resourceMetrics({ scope: cartDev, window: window(fresh, now), stepSeconds: 60 });
    expect(memory.memoryUsage[0]?.value).toBe(2);
    expect(memory.memoryUsage.at(-1)?.value).toBe(5);
  });

  it('sweeps periodically', async () => {
    const store = openStore({ retentionHours: 1, sweepIntervalMs: 20 });
    store.insertLogs([{ timeUs: us(Date.now() - 2 * 3_600_000), level: 'INFO', message: 'old', scope: cartDev }]);
    const all = window(Date.now() - 3 * 3_600_000, Date.now());
    await expect.poll(async () => store.countComponentLogs({ scope: cartDev, window: all }), { timeout: 5000 }).toBe(0);
  });

  it('creates the embedded backend over one SQLite file', async () => {
    const file = tempFile();
    const backend = createEmbeddedBackend({ file, retentionHours: 48 });
    expect(backend.name).toBe('embedded');
    expect(backend.store.retentionMs).toBe(48 * 3_600_000);
    expect(existsSync(file)).toBe(true);
    expect(await backend.ping()).toBe(true);
    expect(backend.logs).toBe(backend.store);
    await backend.close();
    expect(await backend.ping()).toBe(false);
    await backend.close();
    expect(() => new TelemetryStore(':memory:', { retentionHours: 0 })).toThrow(RangeError);
  });
});
