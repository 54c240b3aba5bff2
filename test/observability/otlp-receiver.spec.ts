import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine, SpanDetails, TelemetryScope } from '../../servers/observability-plane/backends/telemetry-backend.js';
import { TelemetryStore } from '../../servers/observability-plane/backends/embedded/store/telemetry-store.js';
import { logLevelOf } from '../../servers/observability-plane/backends/embedded/otlp/log-level.js';
import {
  createOtlpRouter,
  type OtlpReceiverOptions,
  type OtlpSink,
} from '../../servers/observability-plane/backends/embedded/otlp/receiver.js';
import {
  logsRequest,
  metricsRequest,
  postOtlpJson,
  tracesRequest,
  type OtlpMetricSample,
} from '../../servers/observability-plane/backends/embedded/otlp/otlp-json.js';

const TOKEN = 'otlp-ingest-token-0123456789';
const JWT_LIKE = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl';
const MINUTE = 60_000;
const T0 = Math.floor((Date.now() - 3_600_000) / MINUTE) * MINUTE;
const scope: TelemetryScope = { namespace: 'default', project: 'shop', component: 'cart', environment: 'development' };
const hour = { start: new Date(T0), end: new Date(T0 + 60 * MINUTE) };

// The test encodes protobuf itself: protobufjs over the same official .proto files, independently of the receiver's decoding.
const protoDir = join(import.meta.dirname, '../../servers/observability-plane/backends/embedded/proto/');
const protoRoot = new protobuf.Root();
protoRoot.resolvePath = (_origin, target) => protoDir + target;
protoRoot.loadSync([
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
]);
const collector = (signal: 'logs' | 'trace' | 'metrics', name: string) =>
  protoRoot.lookupType(`opentelemetry.proto.collector.${signal}.v1.${name}`);
const LogsRequest = collector('logs', 'ExportLogsServiceRequest');
const TraceRequest = collector('trace', 'ExportTraceServiceRequest');
const MetricsRequest = collector('metrics', 'ExportMetricsServiceRequest');
const LogsResponse = collector('logs', 'ExportLogsServiceResponse');
const TraceResponse = collector('trace', 'ExportTraceServiceResponse');
const MetricsResponse = collector('metrics', 'ExportMetricsServiceResponse');

/** OTLP JSON → a protobufjs message: hex ids become bytes (JSON carries them as hex, protobuf as raw bytes). */
function toProtoObject(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && ['traceId', 'spanId', 'parentSpanId'].includes(key)) return Buffer.from(value, 'hex');
  if (Array.isArray(value)) return value.map((v) => toProtoObject(v));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toProtoObject(v, k)]));
  return value;
}
const encode = (type: protobuf.Type, json: unknown) =>
  Buffer.from(type.encode(type.fromObject(toProtoObject(json) as Record<string, unknown>)).finish());

const dirs: string[] = [];
const servers: Server[] = [];
const stores: TelemetryStore[] = [];

async function startReceiver(options: OtlpReceiverOptions = { token: TOKEN }): Promise<{ url: string; store: TelemetryStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'plane-mcp-otlp-'));
  dirs.push(dir);
  const store = new TelemetryStore(join(dir, 'observability.sqlite'), { sweepIntervalMs: 0 });
  stores.push(store);
  const app = express();
  app.use('/otlp', createOtlpRouter(store, options));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/otlp`, store };
}

afterAll(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function post(
  url: string,
  signal: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(`${url}/v1/${signal}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, ...headers }, body });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}
const json = (r: { body: Buffer }) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

const line = (minute: number, message: string, extra: Partial<LogLine> = {}): LogLine => ({
  timestamp: new Date(T0 + minute * MINUTE).toISOString(),
  message,
  namespace: 'default',
  project: 'shop',
  component: 'cart',
  environment: 'development',
  ...extra,
});

const traceId = 'a1'.repeat(16);
const spans: SpanDetails[] = [
  {
    traceId,
    spanId: 'b1'.repeat(8),
    name: 'GET /cart',
    kind: 'SERVER',
    service: 'frontend',
    startTime: new Date(T0 + 5 * MINUTE).toISOString(),
    endTime: new Date(T0 + 5 * MINUTE + 120).toISOString(),
    durationMs: 120,
    status: 'ok',
    scope: { ...scope, component: 'frontend' },
    attributes: { 'http.method': 'GET', 'http.status_code': 200, retry: false, ratio: 0.5, tags: ['a', 'b'] },
    resource: { 'k8s.pod.name': 'frontend-7d9' },
  },
  {
    traceId,
    spanId: 'b2'.repeat(8),
    parentSpanId: 'b1'.repeat(8),
    name: 'CartService/GetCart',
    kind: 'CLIENT',
    service: 'cart',
    startTime: new Date(T0 + 5 * MINUTE + 10).toISOString(),
    endTime: new Date(T0 + 5 * MINUTE + 110).toISOString(),
    durationMs: 100,
    status: 'error',
    statusMessage: 'rpc error: code = Unavailable',
    scope,
    attributes: { 'rpc.system': 'grpc' },
    resource: {},
  },
];

/** Two pods' cumulative counters and a latency histogram, sampled every 15 s for 10 minutes. */
function metricSamples(): OtlpMetricSample[] {
  const out: OtlpMetricSample[] = [];
  for (let s = 0; s <= 600; s += 15) {
    const time = T0 + s * 1000;
    const resource = { 'k8s.pod.name': 'cart-1' };
    out.push(
      {
        kind: 'counter',
        name: 'container_cpu_usage_seconds_total',
        scope,
        time,
        startTime: T0 - 1000,
        value: 0.2 * s,
        attributes: { container: 'main' },
        resource,
      },
      {
        kind: 'gauge',
        name: 'container_memory_working_set_bytes',
        scope,
        time,
        value: 64 * 1024 * 1024,
        attributes: { container: 'main' },
        resource,
      },
      { kind: 'gauge', name: 'kube_pod_container_resource_limits', scope, time, value: 0.5, attributes: { resource: 'cpu' }, resource },
      {
        kind: 'counter',
        name: 'hubble_http_requests_total',
        scope,
        time,
        value: 4 * s,
        attributes: { status: '200', reporter: 'server' },
        resource,
      },
      {
        kind: 'counter',
        name: 'hubble_http_requests_total',
        scope,
        time,
        value: 1 * s,
        attributes: { status: '500', reporter: 'server' },
        resource,
      },
      // Per 5 requests: 1 ≤ 50 ms, 3 in (50, 100] ms, 1 in (100, 250] ms.
      {
        kind: 'histogram',
        name: 'hubble_http_request_duration_seconds',
        scope,
        time,
        bounds: [0.05, 0.1, 0.25],
        bucketCounts: [1 * s, 3 * s, 1 * s, 0],
        sum: 0.4 * s,
        startTime: T0 - 1000,
        attributes: { reporter: 'server' },
        resource,
      },
    );
  }
  return out;
}
const metricsQuery = { scope, window: { start: new Date(T0 + 2 * MINUTE), end: new Date(T0 + 8 * MINUTE) }, stepSeconds: 60 };

describe('OTLP/HTTP receiver: ingest', () => {
  let url: string;
  let store: TelemetryStore;
  beforeAll(async () => {
    ({ url, store } = await startReceiver({ token: TOKEN, maxRequestsPerSecond: 10_000 }));
  });

  it('accepts JSON logs, mapping scope, severity, workflow attributes, pod and container', async () => {
    const request = logsRequest([
      line(1, 'cart ready', { level: 'INFO', pod: 'cart-1', container: 'main' }),
      line(2, 'redis timeout', { level: 'ERROR', pod: 'cart-1', container: 'main' }),
      line(3, 'level=warn msg="slow redis"'),
      line(4, 'Dockerfile not found', { level: 'ERROR', runName: 'cart-build-1', task: 'build', environment: undefined }),
    ]);
    const result = await postOtlpJson(url, 'logs', request, { token: TOKEN });
    expect(result).toEqual({ status: 200, body: {} });
    const page = await store.queryComponentLogs({ scope, window: hour, limit: 10, sort: 'asc' });
    expect(page.lines).toEqual([
      { timestamp: line(1, '').timestamp, level: 'INFO', message: 'cart ready', ...scope, pod: 'cart-1', container: 'main' },
      { timestamp: line(2, '').timestamp, level: 'ERROR', message: 'redis timeout', ...scope, pod: 'cart-1', container: 'main' },
      { timestamp: line(3, '').timestamp, level: 'WARN', message: 'level=warn msg="slow redis"', ...scope },
    ]);
    const build = await store.queryWorkflowLogs({ namespace: 'default', runName: 'cart-build-1', window: hour, limit: 10, sort: 'asc' });
    expect(build.lines).toEqual([
      {
        timestamp: line(4, '').timestamp,
        level: 'ERROR',
        message: 'Dockerfile not found',
        namespace: 'default',
        project: 'shop',
        component: 'cart',
        runName: 'cart-build-1',
        task: 'build',
      },
    ]);
  });

  it('accepts protobuf logs and answers in protobuf', async () => {
    const request = logsRequest([line(10, 'from protobuf', { level: 'WARN', component: 'proto' })]);
    const response = await post(url, 'logs', encode(LogsRequest, request), { 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    expect(LogsResponse.toObject(LogsResponse.decode(response.body))).toEqual({});
    const page = await store.queryComponentLogs({ scope: { ...scope, component: 'proto' }, window: hour, limit: 10, sort: 'asc' });
    expect(page.lines.map((l) => [l.level, l.message])).toEqual([['WARN', 'from protobuf']]);
  });

  it('accepts JSON traces with ids, kinds, status, attributes and resource', async () => {
    expect(await postOtlpJson(url, 'traces', tracesRequest(spans), { token: TOKEN })).toEqual({ status: 200, body: {} });
    const root = await store.getSpan(traceId, 'b1'.repeat(8));
    expect(root).toEqual({
      ...spans[0],
      resource: { 'k8s.pod.name': 'frontend-7d9', 'service.name': 'frontend', ...scopeAttributes({ ...scope, component: 'frontend' }) },
    });
    const child = await store.getSpan(traceId, 'b2'.repeat(8));
    expect(child).toMatchObject({
      parentSpanId: 'b1'.repeat(8),
      status: 'error',
      statusMessage: 'rpc error: code = Unavailable',
      kind: 'CLIENT',
      service: 'cart',
      durationMs: 100,
    });
    const page = await store.queryTraces({ scope: { namespace: 'default' }, window: hour, limit: 10, sort: 'desc' });
    expect(page.traces).toEqual([
      expect.objectContaining({
        traceId,
        name: 'GET /cart',
        rootService: 'frontend',
        spanCount: 2,
        errorSpanCount: 1,
        services: ['cart', 'frontend'],
        durationMs: 120,
      }),
    ]);
  });

  it('accepts protobuf traces', async () => {
    const protoSpans = spans.map((s) => ({ ...s, traceId: 'c3'.repeat(16), scope: { ...s.scope, project: 'proto' } }));
    const response = await post(url, 'traces', encode(TraceRequest, tracesRequest(protoSpans)), {
      'content-type': 'application/x-protobuf',
    });
    expect(response.status).toBe(200);
    expect(TraceResponse.toObject(TraceResponse.decode(response.body))).toEqual({});
    const found = await store.traceSpans({ traceId: 'C3'.repeat(16), scope: { namespace: 'default', project: 'proto' }, limit: 10 });
    expect(found.spans.map((s) => [s.name, s.kind, s.status, s.parentSpanId])).toEqual([
      ['GET /cart', 'SERVER', 'ok', undefined],
      ['CartService/GetCart', 'CLIENT', 'error', 'b1'.repeat(8)],
    ]);
    const details = await store.getSpan('c3'.repeat(16), 'b1'.repeat(8));
    expect(details?.attributes).toEqual(spans[0]?.attributes);
  });

  it('accepts JSON metrics (counters, gauges, histograms) that the metric queries read back', async () => {
    expect(await postOtlpJson(url, 'metrics', metricsRequest(metricSamples()), { token: TOKEN })).toEqual({ status: 200, body: {} });
    await expectMetrics(store, scope);
  });

  it('accepts protobuf metrics', async () => {
    const protoScope = { ...scope, project: 'proto' };
    const samples = metricSamples().map((s) => ({ ...s, scope: protoScope }));
    const response = await post(url, 'metrics', encode(MetricsRequest, metricsRequest(samples)), {
      'content-type': 'application/x-protobuf',
    });
    expect(response.status).toBe(200);
    expect(MetricsResponse.toObject(MetricsResponse.decode(response.body))).toEqual({});
    await expectMetrics(store, protoScope);
  });

  it('accepts gzip-compressed JSON and protobuf bodies', async () => {
    const jsonBody = gzipSync(JSON.stringify(logsRequest([line(20, 'gzip json', { component: 'gzip' })])));
    const protoBody = gzipSync(encode(LogsRequest, logsRequest([line(21, 'gzip protobuf', { component: 'gzip' })])));
    expect((await post(url, 'logs', jsonBody, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post(url, 'logs', protoBody, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(200);
    expect(
      (await postOtlpJson(url, 'logs', logsRequest([line(22, 'gzip helper', { component: 'gzip' })]), { token: TOKEN, gzip: true })).status,
    ).toBe(200);
    const page = await store.queryComponentLogs({ scope: { ...scope, component: 'gzip' }, window: hour, limit: 10, sort: 'asc' });
    expect(page.lines.map((l) => l.message)).toEqual(['gzip json', 'gzip protobuf', 'gzip helper']);
  });

  it('accepts OTLP JSON int64 values as numbers and strings', async () => {
    const nanos = BigInt(T0 + 30 * MINUTE) * 1_000_000n;
    const body = {
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'openchoreo.dev/namespace', value: { stringValue: 'default' } },
              { key: 'openchoreo.dev/component', value: { stringValue: 'numbers' } },
            ],
          },
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: Number(nanos), severityNumber: 17, body: { stringValue: 'as number' } },
                {
                  timeUnixNano: String(nanos + 1_000_000n),
                  severityText: 'Warning',
                  body: { kvlistValue: { values: [{ key: 'event', value: { intValue: '42' } }] } },
                },
                { observedTimeUnixNano: String(nanos + 2_000_000n), body: { stringValue: 'E0101 12:00:00.000000 1 main.go:1] failed' } },
              ],
            },
          ],
        },
      ],
    };
    expect((await post(url, 'logs', JSON.stringify(body), { 'content-type': 'application/json' })).status).toBe(200);
    const page = await store.queryComponentLogs({
      scope: { namespace: 'default', component: 'numbers' },
      window: hour,
      limit: 10,
      sort: 'asc',
    });
    expect(page.lines.map((l) => [l.level, l.message])).toEqual([
      ['ERROR', 'as number'],
      ['WARN', '{"event":42}'],
      ['ERROR', 'E0101 12:00:00.000000 1 main.go:1] failed'],
    ]);
  });

  it('keeps hostile attribute keys and deep nesting harmless', async () => {
    let deep: Record<string, unknown> = { stringValue: 'bottom' };
    for (let i = 0; i < 40; i++) deep = { kvlistValue: { values: [{ key: 'k', value: deep }] } };
    const request = tracesRequest([{ ...spans[0]!, traceId: 'f6'.repeat(16), attributes: {} }]);
    request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes = [
      { key: '__proto__', value: { stringValue: 'polluted' } },
      { key: 'deep', value: deep as never },
    ];
    expect((await postOtlpJson(url, 'traces', request, { token: TOKEN })).status).toBe(200);
    const stored = await store.getSpan('f6'.repeat(16), 'b1'.repeat(8));
    expect(Object.getPrototypeOf(stored?.attributes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(stored?.attributes, '__proto__')?.value).toBe('polluted');
    expect(JSON.stringify(stored?.attributes.deep)).toContain('null');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports partial success for items it cannot store', async () => {
    const logs = logsRequest([line(40, 'kept', { component: 'partial' })]);
    logs.resourceLogs.push({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'no-namespace' } }] },
      scopeLogs: [
        {
          scope: { name: 't' },
          logRecords: [logs.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!, logs.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!],
        },
      ],
    });
    const result = await postOtlpJson(url, 'logs', logs, { token: TOKEN });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      partialSuccess: { rejectedLogRecords: '2', errorMessage: expect.stringContaining('openchoreo.dev/namespace') },
    });
    expect(await store.countComponentLogs({ scope: { namespace: 'default', component: 'partial' }, window: hour })).toBe(1);

    const traces = tracesRequest([
      { ...spans[0]!, traceId: 'd4'.repeat(16) },
      { ...spans[1]!, traceId: 'not-hex' },
    ]);
    const protoResponse = await post(url, 'traces', encode(TraceRequest, { resourceSpans: traces.resourceSpans.slice(0, 1) }), {
      'content-type': 'application/x-protobuf',
    });
    expect(protoResponse.status).toBe(200);
    const traceResult = await postOtlpJson(url, 'traces', traces, { token: TOKEN });
    expect(traceResult.body).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringContaining('traceId') } });

    // Protobuf: a span with a 4-byte trace id, answered in protobuf.
    const badProto = tracesRequest([{ ...spans[0]!, traceId: 'e5'.repeat(16) }]);
    const message = toProtoObject(badProto) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: Buffer }> }> }> };
    message.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId = Buffer.from('abcd', 'hex');
    const response = await post(url, 'traces', Buffer.from(TraceRequest.encode(TraceRequest.fromObject(message)).finish()), {
      'content-type': 'application/x-protobuf',
    });
    expect(response.status).toBe(200);
    expect(TraceResponse.toObject(TraceResponse.decode(response.body), { longs: Number })).toEqual({
      partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('traceId') },
    });

    const summary = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'openchoreo.dev/namespace', value: { stringValue: 'default' } }] },
          scopeMetrics: [
            {
              metrics: [
                { name: 'rpc_latency', summary: { dataPoints: [{ timeUnixNano: String(BigInt(T0) * 1_000_000n), count: '1', sum: 1 }] } },
              ],
            },
          ],
        },
      ],
    };
    const metricsResult = await post(url, 'metrics', JSON.stringify(summary), { 'content-type': 'application/json' });
    expect(json(metricsResult)).toEqual({
      partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringContaining('only gauge, sum and histogram') },
    });
  });
});

async function expectMetrics(store: TelemetryStore, metricScope: TelemetryScope): Promise<void> {
  const round = (points: { value: number }[]) => points.map((p) => Number(p.value.toFixed(6)));
  const query = { ...metricsQuery, scope: metricScope };
  const resources = await store.resourceMetrics(query);
  expect(round(resources.cpuUsage)).toEqual(Array(7).fill(0.2));
  expect(round(resources.memoryUsage)).toEqual(Array(7).fill(64 * 1024 * 1024));
  expect(round(resources.cpuLimits)).toEqual(Array(7).fill(0.5));
  expect(resources.cpuRequests).toEqual([]);
  const http = await store.httpMetrics(query);
  expect(round(http.requestRate)).toEqual(Array(7).fill(5));
  expect(round(http.errorRate)).toEqual(Array(7).fill(0.2));
  // p50: rank 2.5 of 5 → (0.05, 0.1] bucket, 1.5 of 3 → 75 ms; p90: rank 4.5 → (0.1, 0.25], 0.5 of 1 → 175 ms.
  expect(round(http.latencyP50Ms)).toEqual(Array(7).fill(75));
  expect(round(http.latencyP90Ms)).toEqual(Array(7).fill(175));
  expect(round(http.latencyP99Ms)).toEqual(Array(7).fill(Number((100 + 150 * 0.95).toFixed(6))));
}

function scopeAttributes(s: TelemetryScope): Record<string, string> {
  return {
    'openchoreo.dev/namespace': s.namespace,
    ...(s.project ? { 'openchoreo.dev/project': s.project } : {}),
    ...(s.component ? { 'openchoreo.dev/component': s.component } : {}),
    ...(s.environment ? { 'openchoreo.dev/environment': s.environment } : {}),
  };
}

describe('OTLP/HTTP receiver: authentication and limits', () => {
  let url: string;
  let store: TelemetryStore;
  const body = JSON.stringify(logsRequest([{ timestamp: new Date(T0).toISOString(), message: 'x', namespace: 'default' }]));
  beforeAll(async () => {
    ({ url, store } = await startReceiver({
      token: TOKEN,
      verifyBearer: async (token) => {
        if (token === 'explode') throw new Error('verifier failed');
        return token === JWT_LIKE;
      },
      maxBodyBytes: 64 * 1024,
      maxItemsPerRequest: 100,
      maxRequestsPerSecond: 10_000,
    }));
  });

  it('refuses requests without a valid bearer token (401)', async () => {
    const attempt = (authorization?: string) =>
      fetch(`${url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body,
      });
    const none = await attempt();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="otlp"');
    expect(await none.json()).toEqual({ code: 16, message: 'a valid bearer token is required' });
    for (const header of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`,
      `Bearer`,
      'Bearer explode',
      TOKEN,
    ]) {
      const response = await attempt(header);
      expect(response.status, header).toBe(401);
      expect(await response.text()).not.toContain(TOKEN);
    }
    expect((await attempt(`Bearer ${TOKEN}x`)).headers.get('www-authenticate')).toBe('Bearer realm="otlp", error="invalid_token"');
    expect((await attempt(`bearer ${TOKEN}`)).status).toBe(200);
    expect((await attempt(`Bearer ${JWT_LIKE}`)).status).toBe(200);
    // 401 comes before anything else: a bad content type without a token is still 401.
    expect((await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(401);
    expect(await store.countComponentLogs({ scope: { namespace: 'default' }, window: hour })).toBe(2);
  });

  it('refuses other content types and encodings (415)', async () => {
    expect((await post(url, 'logs', body, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(url, 'logs', body, {})).status).toBe(415);
    const brotli = await post(url, 'logs', body, { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    expect(json(brotli)).toMatchObject({ message: expect.stringContaining('encoding') });
    expect((await post(url, 'logs', body, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('refuses undecodable bodies (400)', async () => {
    const cases: Array<[string, Buffer | string, Record<string, string>]> = [
      ['logs', '{not json', { 'content-type': 'application/json' }],
      ['logs', '[1,2]', { 'content-type': 'application/json' }],
      ['logs', '{"resourceLogs": 5}', { 'content-type': 'application/json' }],
      ['traces', '{"resourceSpans": [1]}', { 'content-type': 'application/json' }],
      ['traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { 'content-type': 'application/x-protobuf' }],
      ['metrics', Buffer.from('this is not protobuf at all'), { 'content-type': 'application/x-protobuf' }],
      ['logs', Buffer.from('not gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ];
    for (const [signal, payload, headers] of cases) {
      const response = await post(url, signal, payload, headers);
      expect(response.status, `${signal} ${String(payload)}`).toBe(400);
      if (headers['content-type'] === 'application/x-protobuf') {
        expect(response.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
      } else {
        expect(json(response)).toMatchObject({ code: 3 });
      }
    }
  });

  it('refuses bodies over the size limit, compressed or not, and too many items (413)', async () => {
    const big = Buffer.alloc(1024 * 1024, 'a');
    expect((await post(url, 'logs', big, { 'content-type': 'application/json' })).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const bombResponse = await post(url, 'logs', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(bombResponse.status).toBe(413);
    expect(json(bombResponse)).toMatchObject({ message: expect.stringContaining('decompressed') });
    const many = logsRequest(
      Array.from({ length: 101 }, (_, i) => ({ timestamp: new Date(T0 + i).toISOString(), message: 'm', namespace: 'many' })),
    );
    const tooMany = await postOtlpJson(url, 'logs', many, { token: TOKEN });
    expect(tooMany.status).toBe(413);
    expect(await store.countComponentLogs({ scope: { namespace: 'many' }, window: hour })).toBe(0);
    // The connection is still usable afterwards.
    expect((await post(url, 'logs', body, { 'content-type': 'application/json' })).status).toBe(200);
  });

  it('rate-limits with 429 and Retry-After', async () => {
    const limited = await startReceiver({ token: TOKEN, maxRequestsPerSecond: 2 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const response = await post(limited.url, 'logs', body, { 'content-type': 'application/json' });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await post(limited.url, 'logs', body, { 'content-type': 'application/json' })).status).toBe(200);
  });

  it('needs a credential to be configured', () => {
    expect(() => createOtlpRouter(store, {})).toThrow(/token or verifyBearer/);
    expect(() => createOtlpRouter(store, { token: 'short' })).toThrow(/16 characters/);
  });

  it('derives levels from severity and text', () => {
    expect(logLevelOf(3, undefined, 'x')).toBe('DEBUG');
    expect(logLevelOf(21, 'FATAL', 'x')).toBe('ERROR');
    expect(logLevelOf(undefined, 'warning', 'x')).toBe('WARN');
    expect(logLevelOf(undefined, undefined, '{"level":"error","msg":"boom"}')).toBe('ERROR');
    expect(logLevelOf(undefined, undefined, 'W0101 10:00:00.000 1 x.go:1] careful')).toBe('WARN');
    expect(logLevelOf(undefined, undefined, 'rpc error: code = Unavailable')).toBe('ERROR');
    expect(logLevelOf(undefined, undefined, 'all good')).toBe('INFO');
  });
});

const LEAK_MARKER = 'Leak-Marker-7f3c';

/** One HTTP request with full control over method, headers and chunking (node:http, no fetch normalisation). */
function rawRequest(
  base: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const target = new URL(options.path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: options.path, method: options.method, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    // The receiver may answer before the body is sent and close the connection: that is not a test failure.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    if (body && options.chunked) {
      for (let offset = 0; offset < body.length; offset += 16 * 1024) req.write(body.subarray(offset, offset + 16 * 1024));
    } else if (body) {
      req.setHeader('content-length', String(body.length));
      req.write(body);
    }
    req.end();
  });
}

/** A short JSON google.rpc.Status with none of: stack frames, module or server paths, parser names, the request's content. */
function expectSafeJsonError(response: { status: number; headers: IncomingHttpHeaders; body: Buffer }, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const text = response.body.toString('utf8');
  expect(text.length).toBeLessThan(200);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(parsed).sort()).toEqual(['code', 'message']);
  expect(typeof parsed.code).toBe('number');
  expect(typeof parsed.message).toBe('string');
  for (const leak of ['at ', 'node_modules', '/work', 'SyntaxError', 'Error:', LEAK_MARKER, '<']) expect(text).not.toContain(leak);
}

describe.each(['development', 'production'])('OTLP/HTTP receiver: error responses (express env %s)', (env) => {
  let base: string;
  const errors: unknown[] = [];
  const auth = { authorization: `Bearer ${TOKEN}` };
  const jsonHeaders = { ...auth, 'content-type': 'application/json' };
  const failingSink: OtlpSink = {
    insertLogs: () => {
      throw new Error(`store failed at /work/data/observability.sqlite ${LEAK_MARKER}`);
    },
    insertSpans: () => undefined,
    insertMetricSamples: () => undefined,
  };

  beforeAll(async () => {
    // Mounted at the root, as the observability plane serves it: every path of this server is the receiver's.
    const app = express();
    app.set('env', env);
    app.disable('x-powered-by');
    app.use(
      createOtlpRouter(failingSink, {
        token: TOKEN,
        maxBodyBytes: 16 * 1024,
        maxRequestsPerSecond: 10_000,
        // A logger that itself fails must not turn a 500 into an HTML page with a stack trace.
        onError: (error) => {
          errors.push(error);
          throw new Error(`logger failed at ${import.meta.filename}`);
        },
      }),
    );
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  it('answers an oversized body with 413 JSON, declared or chunked', async () => {
    const big = JSON.stringify({ resourceLogs: [], padding: LEAK_MARKER.repeat(4000) });
    for (const chunked of [false, true]) {
      const response = await rawRequest(base, { method: 'POST', path: '/v1/logs', headers: jsonHeaders, body: big, chunked });
      expectSafeJsonError(response, 413);
    }
  });

  it('answers truncated or malformed JSON with 400 JSON that does not echo the body', async () => {
    const bodies = [
      `{"resourceLogs":[{"resource":{"attributes":[{"key":"${LEAK_MARKER}`,
      `{"resourceLogs": [${LEAK_MARKER}]}`,
      `["${LEAK_MARKER}"]`,
      `{"resourceLogs": "${LEAK_MARKER}"}`,
    ];
    for (const body of bodies) {
      expectSafeJsonError(await rawRequest(base, { method: 'POST', path: '/v1/logs', headers: jsonHeaders, body }), 400);
    }
  });

  it('answers a wrong or missing content type with 415 JSON', async () => {
    for (const contentType of ['text/plain', `application/${LEAK_MARKER}`, 'application/xml', undefined]) {
      const headers: Record<string, string> = { ...auth, ...(contentType ? { 'content-type': contentType } : {}) };
      expectSafeJsonError(await rawRequest(base, { method: 'POST', path: '/v1/traces', headers, body: `<${LEAK_MARKER}/>` }), 415);
    }
    const brotli = { ...jsonHeaders, 'content-encoding': `br-${LEAK_MARKER}` };
    expectSafeJsonError(await rawRequest(base, { method: 'POST', path: '/v1/logs', headers: brotli, body: '{}' }), 415);
  });

  it('answers an unknown path with 404 JSON that does not echo the path', async () => {
    for (const path of [`/v1/${LEAK_MARKER}`, '/', '/v1/logs/extra', `/${LEAK_MARKER}/%3Cscript%3E`, '/v1']) {
      expectSafeJsonError(await rawRequest(base, { method: 'POST', path, headers: jsonHeaders, body: '{}' }), 404);
      expectSafeJsonError(await rawRequest(base, { method: 'GET', path, headers: auth }), 404);
    }
  });

  it('answers another method on an endpoint with 405 JSON and Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const signal of ['logs', 'traces', 'metrics']) {
        const response = await rawRequest(base, { method, path: `/v1/${signal}`, headers: jsonHeaders, body: `{"${LEAK_MARKER}":1}` });
        expectSafeJsonError(response, 405);
        expect(response.headers.allow).toBe('POST');
      }
    }
    const head = await rawRequest(base, { method: 'HEAD', path: '/v1/logs', headers: auth });
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('POST');
  });

  it('answers 401 and a failing store (500) with JSON, even when the error callback throws', async () => {
    const unauthorised = await rawRequest(base, {
      method: 'POST',
      path: '/v1/logs',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${LEAK_MARKER}x` },
      body: '{}',
    });
    expectSafeJsonError(unauthorised, 401);
    const logs = JSON.stringify(logsRequest([{ timestamp: new Date(T0).toISOString(), message: LEAK_MARKER, namespace: 'default' }]));
    const failed = await rawRequest(base, { method: 'POST', path: '/v1/logs', headers: jsonHeaders, body: logs });
    expectSafeJsonError(failed, 500);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('never hands a parse error (or the body) to the error callback', async () => {
    errors.splice(0);
    const cases: Array<[Record<string, string>, Buffer | string]> = [
      [jsonHeaders, `{"${LEAK_MARKER}`],
      [{ ...auth, 'content-type': 'application/x-protobuf' }, Buffer.from(`\x0a\xff\xff\xff\xff\x0f${LEAK_MARKER}`, 'latin1')],
      [{ ...jsonHeaders, 'content-encoding': 'gzip' }, `not gzip ${LEAK_MARKER}`],
      [jsonHeaders, LEAK_MARKER.repeat(4000)],
    ];
    for (const [headers, body] of cases) {
      const response = await rawRequest(base, { method: 'POST', path: '/v1/traces', headers, body });
      expect([400, 413]).toContain(response.status);
      expect(response.body.toString('latin1')).not.toContain(LEAK_MARKER);
    }
    expect(errors).toEqual([]);
  });
});
