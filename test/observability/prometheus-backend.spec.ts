import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalError, InvalidInputError, UpstreamUnavailableError } from '../../shared/errors/plane-errors.js';
import type {
  HttpMetrics,
  MetricPoint,
  MetricsQuery,
  ResourceMetrics,
  TelemetryScope,
} from '../../servers/observability-plane/backends/telemetry-backend.js';
import {
  createPrometheusBackend,
  type PrometheusBackend,
} from '../../servers/observability-plane/backends/prometheus/prometheus-backend.js';
import {
  buildHttpQueries,
  buildResourceQueries,
  planRange,
  promqlString,
  resolveNames,
} from '../../servers/observability-plane/backends/prometheus/promql.js';
import { remoteWrite, type RemoteWriteSeries } from '../../servers/observability-plane/backends/prometheus/remote-write.js';
import { freePort } from '../support/net.js';
import { prometheusServerUrl } from '../support/prometheus.js';

/**
 * The Prometheus metrics adapter against the run's real Prometheus (test/setup/prometheus.global.ts).
 * Samples are written through remote write with explicit timestamps (the last 40 minutes, every
 * 15 s); label values are unique to this file, so other files can share the server.
 */

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const SCRAPE = 15; // seconds between pushed samples
const RUN = randomBytes(4).toString('hex');
const NS = `pbt-${RUN}`; // platform namespace of this file
const OTHER_NS = `pbt-${RUN}-other`; // another platform namespace with a same-named component and pod
const WEIRD_NS = `pbt-${RUN}-weird`; // scope values full of PromQL syntax, matched literally
const WEIRD = {
  project: 'shop"} or vector(1) or {"',
  component: 'we"ird\\comp\nnew\\',
  environment: 'dev\\"}#',
};

interface PodSpec {
  pod: string;
  k8sNamespace: string;
  namespace: string;
  project: string;
  component: string;
  environment: string;
  phase: 'Running' | 'Pending';
  /** cores (counter slope); absent = no usage series */
  cpu?: number;
  memory?: number;
  cpuRequest: number;
  cpuLimit: number;
  memoryRequest: number;
  memoryLimit: number;
  /** status → requests per second (reporter=server) */
  http?: Record<string, number>;
  /** le → cumulative observations per second */
  buckets?: Record<string, number>;
}

const dev = (ns: string) => `dp-${ns}-development`;
const PODS: PodSpec[] = [
  {
    pod: 'frontend-aaa',
    k8sNamespace: dev(NS),
    namespace: NS,
    project: 'shop',
    component: 'frontend',
    environment: 'development',
    phase: 'Running',
    cpu: 0.05,
    memory: 100 * MiB,
    cpuRequest: 0.1,
    cpuLimit: 0.5,
    memoryRequest: 256 * MiB,
    memoryLimit: 512 * MiB,
    http: { '200': 8, '500': 1 },
    buckets: { '0.025': 0, '0.05': 5, '0.1': 8, '0.25': 9.5, '0.5': 9.95, '1': 10, '+Inf': 10 },
  },
  {
    pod: 'frontend-bbb',
    k8sNamespace: dev(NS),
    namespace: NS,
    project: 'shop',
    component: 'frontend',
    environment: 'development',
    phase: 'Running',
    cpu: 0.03,
    memory: 50 * MiB,
    cpuRequest: 0.1,
    cpuLimit: 0.5,
    memoryRequest: 256 * MiB,
    memoryLimit: 512 * MiB,
    http: { '200': 10, '404': 1 },
    buckets: { '0.025': 0, '0.05': 5, '0.1': 8, '0.25': 9.5, '0.5': 9.95, '1': 10, '+Inf': 10 },
  },
  {
    pod: 'frontend-ccc',
    k8sNamespace: `dp-${NS}-production`,
    namespace: NS,
    project: 'shop',
    component: 'frontend',
    environment: 'production',
    phase: 'Running',
    cpu: 0.2,
    memory: 300 * MiB,
    cpuRequest: 0.25,
    cpuLimit: 1,
    memoryRequest: 512 * MiB,
    memoryLimit: 1 * GiB,
    http: { '200': 5 },
    buckets: { '0.025': 5, '0.05': 5, '0.1': 5, '0.25': 5, '0.5': 5, '1': 5, '+Inf': 5 },
  },
  {
    pod: 'checkout-aaa',
    k8sNamespace: dev(NS),
    namespace: NS,
    project: 'shop',
    component: 'checkout',
    environment: 'development',
    phase: 'Running',
    cpu: 0.4,
    memory: 1 * GiB,
    cpuRequest: 0.5,
    cpuLimit: 2,
    memoryRequest: 1 * GiB,
    memoryLimit: 2 * GiB,
    http: { '200': 3, '503': 1 },
  },
  {
    // Pending: its requests and limits must not count.
    pod: 'checkout-pending',
    k8sNamespace: dev(NS),
    namespace: NS,
    project: 'shop',
    component: 'checkout',
    environment: 'development',
    phase: 'Pending',
    cpuRequest: 0.7,
    cpuLimit: 1.5,
    memoryRequest: 128 * MiB,
    memoryLimit: 256 * MiB,
  },
  {
    // Same pod NAME as frontend-aaa, same component/project/environment names, another namespace:
    // the joins must key on (namespace, pod) and the scope on the platform namespace.
    pod: 'frontend-aaa',
    k8sNamespace: dev(OTHER_NS),
    namespace: OTHER_NS,
    project: 'shop',
    component: 'frontend',
    environment: 'development',
    phase: 'Running',
    cpu: 5,
    memory: 5 * GiB,
    cpuRequest: 3,
    cpuLimit: 4,
    memoryRequest: 4 * GiB,
    memoryLimit: 8 * GiB,
    http: { '500': 100 },
    buckets: { '0.025': 0, '0.05': 0, '0.1': 0, '0.25': 0, '0.5': 0, '1': 0, '+Inf': 100 },
  },
  {
    // No traffic, no CPU, an infinite memory gauge: 0/0 and quantiles of nothing are NaN, dropped.
    pod: 'idle-aaa',
    k8sNamespace: dev(NS),
    namespace: NS,
    project: 'shop',
    component: 'idle',
    environment: 'idle-env',
    phase: 'Running',
    cpu: 0,
    memory: Number.POSITIVE_INFINITY,
    cpuRequest: 0,
    cpuLimit: 0,
    memoryRequest: 0,
    memoryLimit: 0,
    http: { '200': 0, '500': 0 },
    buckets: { '0.025': 0, '0.05': 0, '0.1': 0, '0.25': 0, '0.5': 0, '1': 0, '+Inf': 0 },
  },
  {
    pod: 'weird-aaa',
    k8sNamespace: `dp-${RUN}-weird`,
    namespace: WEIRD_NS,
    ...WEIRD,
    phase: 'Running',
    cpu: 0.07,
    memory: 70 * MiB,
    cpuRequest: 0.1,
    cpuLimit: 0.2,
    memoryRequest: 100 * MiB,
    memoryLimit: 200 * MiB,
    http: { '200': 7 },
  },
];

const END = Math.floor(Date.now() / (SCRAPE * 1000)) * SCRAPE * 1000 - SCRAPE * 1000; // last sample
const START = END - 40 * 60_000; // first sample
/** The queried window: well inside the data, so every rate window is full. */
const WINDOW = { start: new Date(START + 10 * 60_000), end: new Date(END) };

function buildSeries(): RemoteWriteSeries[] {
  const times: number[] = [];
  for (let t = START; t <= END; t += SCRAPE * 1000) times.push(t);
  const gauge = (labels: Record<string, string>, value: number): RemoteWriteSeries => ({
    labels,
    samples: times.map((timestamp) => ({ timestamp, value })),
  });
  const counter = (labels: Record<string, string>, perSecond: number, base = 1000): RemoteWriteSeries => ({
    labels,
    samples: times.map((timestamp) => ({ timestamp, value: base + (perSecond * (timestamp - START)) / 1000 })),
  });
  const series: RemoteWriteSeries[] = [];
  for (const p of PODS) {
    const pod = { pod: p.pod, namespace: p.k8sNamespace };
    series.push(
      gauge(
        {
          __name__: 'kube_pod_labels',
          ...pod,
          job: 'kube-state-metrics',
          uid: `${p.k8sNamespace}/${p.pod}`,
          label_openchoreo_dev_namespace: p.namespace,
          label_openchoreo_dev_project: p.project,
          label_openchoreo_dev_component: p.component,
          label_openchoreo_dev_environment: p.environment,
        },
        1,
      ),
    );
    for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) {
      series.push(gauge({ __name__: 'kube_pod_status_phase', ...pod, phase }, phase === p.phase ? 1 : 0));
    }
    const container = { ...pod, container: 'app' };
    series.push(
      gauge({ __name__: 'kube_pod_container_resource_requests', ...container, resource: 'cpu', unit: 'core' }, p.cpuRequest),
      gauge({ __name__: 'kube_pod_container_resource_limits', ...container, resource: 'cpu', unit: 'core' }, p.cpuLimit),
      gauge({ __name__: 'kube_pod_container_resource_requests', ...container, resource: 'memory', unit: 'byte' }, p.memoryRequest),
      gauge({ __name__: 'kube_pod_container_resource_limits', ...container, resource: 'memory', unit: 'byte' }, p.memoryLimit),
    );
    if (p.cpu !== undefined && p.memory !== undefined) {
      series.push(
        counter({ __name__: 'container_cpu_usage_seconds_total', ...container }, p.cpu),
        gauge({ __name__: 'container_memory_working_set_bytes', ...container }, p.memory),
        // cAdvisor's pod-level cgroup (no container label) and the pause container: never counted.
        counter({ __name__: 'container_cpu_usage_seconds_total', ...pod }, 7),
        counter({ __name__: 'container_cpu_usage_seconds_total', ...pod, container: 'POD' }, 3),
        gauge({ __name__: 'container_memory_working_set_bytes', ...pod }, 10 * GiB),
      );
    }
    const destination = { destination_pod: p.pod, destination_namespace: p.k8sNamespace };
    for (const [status, rate] of Object.entries(p.http ?? {})) {
      series.push(
        counter(
          { __name__: 'hubble_http_requests_total', ...destination, reporter: 'server', status, method: 'GET', protocol: 'HTTP/1.1' },
          rate,
        ),
      );
    }
    if (p.http) {
      // The client side of the same traffic (and more): never counted.
      series.push(
        counter(
          {
            __name__: 'hubble_http_requests_total',
            ...destination,
            reporter: 'client',
            status: '500',
            method: 'GET',
            protocol: 'HTTP/1.1',
          },
          1000,
        ),
      );
    }
    for (const [le, rate] of Object.entries(p.buckets ?? {})) {
      series.push(counter({ __name__: 'hubble_http_request_duration_seconds_bucket', ...destination, reporter: 'server', le }, rate, 0));
    }
  }
  return series;
}

/** Every point within `relative` of `expected`; at least `minPoints` points. */
function expectSeries(points: MetricPoint[], expected: number, options: { minPoints?: number; relative?: number } = {}): void {
  expect(points.length).toBeGreaterThanOrEqual(options.minPoints ?? 25);
  const tolerance = Math.max(Math.abs(expected) * (options.relative ?? 0.01), 1e-9);
  for (const point of points) {
    expect(Number.isNaN(Date.parse(point.timestamp))).toBe(false);
    expect(Math.abs(point.value - expected), `${point.timestamp}: ${point.value} vs ${expected}`).toBeLessThanOrEqual(tolerance);
  }
}

function expectAllEmpty(result: ResourceMetrics | HttpMetrics): void {
  for (const [key, points] of Object.entries(result)) expect(points, key).toEqual([]);
}

describe('PromQL building blocks', () => {
  it('escapes every label value through one function (backslash, quote, newline, control characters)', () => {
    expect(promqlString('frontend')).toBe('"frontend"');
    expect(promqlString('')).toBe('""');
    expect(promqlString('a"b')).toBe('"a\\"b"');
    expect(promqlString('a\\b')).toBe('"a\\\\b"');
    expect(promqlString('\\"')).toBe('"\\\\\\""');
    expect(promqlString('a\nb\r\tc')).toBe('"a\\nb\\r\\tc"');
    expect(promqlString('x\u0000\u001b\u007f')).toBe('"x\\u0000\\u001b\\u007f"');
    expect(promqlString('"} or vector(1) or {"')).toBe('"\\"} or vector(1) or {\\""');
    expect(promqlString('=~".*"')).toBe('"=~\\".*\\""');
    expect(promqlString("ünï 😀 `x` 'y'")).toBe('"ünï 😀 `x` \'y\'"');
    // Lone surrogates have no UTF-8 form: refused rather than sent as U+FFFD.
    expect(() => promqlString('a\uD800b')).toThrow(InvalidInputError);
  });

  it('puts caller values only inside escaped equality matchers', () => {
    const names = resolveNames();
    const scope = { namespace: 'n', project: 'p', component: '"} or vector(1) or {"', environment: '.*' };
    const queries = { ...buildResourceQueries(scope, 60, names), ...buildHttpQueries(scope, 60, names) };
    for (const query of Object.values(queries)) {
      expect(query).toContain('label_openchoreo_dev_component="\\"} or vector(1) or {\\""');
      expect(query).toContain('label_openchoreo_dev_environment=".*"');
      expect(query).not.toContain('=~".*"');
    }
  });

  it('refuses empty scope values instead of matching pods without the label', () => {
    const names = resolveNames();
    expect(() => buildResourceQueries({ namespace: 'n', component: '' }, 60, names)).toThrow(InvalidInputError);
    expect(() => buildHttpQueries({ namespace: '' }, 60, names)).toThrow(InvalidInputError);
  });

  it('validates configured label and metric names at construction', () => {
    expect(resolveNames({ component: 'app_kubernetes_io_name' }).labels.component).toBe('app_kubernetes_io_name');
    for (const bad of ['bad-name', '1abc', 'a"b', 'x} or vector(1)', '', '__name__', 'le', 'ünï']) {
      expect(() => resolveNames({ component: bad }), bad).toThrow(/not a valid Prometheus label name/);
    }
    expect(() => resolveNames({ component: 'pod' })).toThrow(/both name "pod"/);
    expect(() => resolveNames({}, { podLabels: 'kube_pod_labels{x="1"}' })).toThrow(/not a valid Prometheus metric name/);
    expect(() => resolveNames({ bogus: 'x' } as never)).toThrow(/unknown label setting/);
    expect(() => createPrometheusBackend({ url: 'http://127.0.0.1:9', labels: { environment: 'env-uid' } })).toThrow(/label name/);
    expect(() => createPrometheusBackend({ url: 'not a url' })).toThrow(/invalid URL/);
    expect(() => createPrometheusBackend({ url: 'http://127.0.0.1:9', maxPointsPerSeries: 1 })).toThrow(/maxPointsPerSeries/);
  });

  it('plans step and rate window: step clamped to maxPoints, window ≥ max(step, 4 scrapes)', () => {
    const hour = { start: new Date(0), end: new Date(3_600_000) };
    expect(planRange(hour, 60, { maxPoints: 1100, scrapeIntervalSeconds: 30 })).toMatchObject({ stepSeconds: 60, rateWindowSeconds: 120 });
    expect(planRange(hour, 1, { maxPoints: 1100, scrapeIntervalSeconds: 30 })).toMatchObject({ stepSeconds: 4, rateWindowSeconds: 120 });
    expect(planRange(hour, 900, { maxPoints: 1100, scrapeIntervalSeconds: 30 })).toMatchObject({
      stepSeconds: 900,
      rateWindowSeconds: 900,
    });
    expect(planRange(hour, 0.2, { maxPoints: 100_000, scrapeIntervalSeconds: 15 })).toMatchObject({
      stepSeconds: 1,
      rateWindowSeconds: 60,
    });
    const month = { start: new Date(0), end: new Date(30 * 86_400_000) };
    const plan = planRange(month, 60, { maxPoints: 1100, scrapeIntervalSeconds: 30 });
    expect(Math.floor((30 * 86_400) / plan.stepSeconds) + 1).toBeLessThanOrEqual(1100);
    expect(plan.rateWindowSeconds).toBe(plan.stepSeconds);
    expect(() => planRange(hour, 0, { maxPoints: 1100, scrapeIntervalSeconds: 30 })).toThrow(InvalidInputError);
    expect(() => planRange(hour, Number.NaN, { maxPoints: 1100, scrapeIntervalSeconds: 30 })).toThrow(InvalidInputError);
    expect(() => planRange({ start: hour.end, end: hour.start }, 60, { maxPoints: 1100, scrapeIntervalSeconds: 30 })).toThrow(
      InvalidInputError,
    );
  });
});

describe('Prometheus backend against a real Prometheus', () => {
  let url: string;
  let backend: PrometheusBackend;
  const query = (scope: TelemetryScope, stepSeconds = 60): MetricsQuery => ({ scope, window: WINDOW, stepSeconds });
  const frontendDev: TelemetryScope = { namespace: NS, project: 'shop', component: 'frontend', environment: 'development' };

  beforeAll(async () => {
    url = await prometheusServerUrl();
    await remoteWrite(url, buildSeries());
    backend = createPrometheusBackend({ url, scrapeIntervalSeconds: SCRAPE });
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('pings', async () => {
    expect(await backend.ping()).toBe(true);
  });

  it('answers resource metrics for one component in one environment (cores, bytes)', async () => {
    const result = await backend.metrics.resourceMetrics(query(frontendDev));
    expect(result.cpuUsage).toHaveLength(31); // 30 minutes at 60 s, both ends included
    expectSeries(result.cpuUsage, 0.08); // 0.05 + 0.03 cores·s/s
    expectSeries(result.memoryUsage, 150 * MiB);
    expectSeries(result.cpuRequests, 0.2);
    expectSeries(result.cpuLimits, 1);
    expectSeries(result.memoryRequests, 512 * MiB);
    expectSeries(result.memoryLimits, 1 * GiB);
    const timestamps = result.cpuUsage.map((point) => Date.parse(point.timestamp));
    expect(timestamps[0]).toBe(WINDOW.start.getTime());
    expect(timestamps.at(-1)).toBe(WINDOW.end.getTime());
  });

  it('scopes by environment, project and namespace, summing exactly the pods in scope', async () => {
    const production = await backend.metrics.resourceMetrics(query({ ...frontendDev, environment: 'production' }));
    expectSeries(production.cpuUsage, 0.2);
    expectSeries(production.memoryUsage, 300 * MiB);
    expectSeries(production.cpuLimits, 1);

    const allEnvironments = await backend.metrics.resourceMetrics(query({ namespace: NS, project: 'shop', component: 'frontend' }));
    expectSeries(allEnvironments.cpuUsage, 0.28);
    expectSeries(allEnvironments.memoryUsage, 450 * MiB);

    // Every component in development: frontend ×2 + checkout (its Pending pod's requests excluded).
    const development = await backend.metrics.resourceMetrics(query({ namespace: NS, project: 'shop', environment: 'development' }));
    expectSeries(development.cpuUsage, 0.48);
    expectSeries(development.cpuRequests, 0.7);
    expectSeries(development.cpuLimits, 3);
    expectSeries(development.memoryRequests, 512 * MiB + 1 * GiB);

    const namespace = await backend.metrics.resourceMetrics(query({ namespace: NS }));
    expectSeries(namespace.cpuUsage, 0.68);
  });

  it('isolates scopes: component A never sees B, nor a same-named pod and component in another namespace', async () => {
    const checkout = await backend.metrics.resourceMetrics(query({ ...frontendDev, component: 'checkout' }));
    expectSeries(checkout.cpuUsage, 0.4);
    expectSeries(checkout.cpuRequests, 0.5); // not 1.2: the Pending pod is not Running
    expectSeries(checkout.memoryLimits, 2 * GiB);

    const other = await backend.metrics.resourceMetrics(query({ ...frontendDev, namespace: OTHER_NS }));
    expectSeries(other.cpuUsage, 5);
    const otherHttp = await backend.metrics.httpMetrics(query({ ...frontendDev, namespace: OTHER_NS }));
    expectSeries(otherHttp.requestRate, 100);
    expectSeries(otherHttp.errorRate, 1);
  });

  it('returns empty series, without throwing, for an unknown component or a window without data', async () => {
    expectAllEmpty(await backend.metrics.resourceMetrics(query({ ...frontendDev, component: 'no-such-component' })));
    expectAllEmpty(await backend.metrics.httpMetrics(query({ ...frontendDev, component: 'no-such-component' })));
    const yesterday = { start: new Date(START - 30 * 3_600_000), end: new Date(START - 26 * 3_600_000) };
    expectAllEmpty(await backend.metrics.resourceMetrics({ scope: frontendDev, window: yesterday, stepSeconds: 300 }));
  });

  it('answers HTTP request rate, error ratio and latency percentiles from Hubble series (server side only)', async () => {
    const result = await backend.metrics.httpMetrics(query(frontendDev));
    expectSeries(result.requestRate, 20); // 8 + 1 + 10 + 1 req/s; the 1000 req/s client-side series is ignored
    expectSeries(result.errorRate, 0.1); // (500: 1 + 404: 1) / 20
    // Buckets (cumulative req/s, both pods): ≤25ms 0, ≤50ms 10, ≤100ms 16, ≤250ms 19, ≤500ms 19.9, ≤1s 20.
    expectSeries(result.latencyP50Ms, 50);
    expectSeries(result.latencyP90Ms, 200); // 100 + 150·(18−16)/(19−16)
    expectSeries(result.latencyP99Ms, 250 + (250 * 0.8) / 0.9); // ≈ 472.2

    const production = await backend.metrics.httpMetrics(query({ ...frontendDev, environment: 'production' }));
    expectSeries(production.requestRate, 5);
    expectSeries(production.errorRate, 0); // requests but no error series: 0, not absent
    expectSeries(production.latencyP50Ms, 12.5);

    const checkout = await backend.metrics.httpMetrics(query({ ...frontendDev, component: 'checkout' }));
    expectSeries(checkout.requestRate, 4);
    expectSeries(checkout.errorRate, 0.25);
    expect(checkout.latencyP99Ms).toEqual([]); // no histogram for checkout

    const development = await backend.metrics.httpMetrics(query({ namespace: NS, environment: 'development' }));
    expectSeries(development.requestRate, 24);
    expectSeries(development.errorRate, 3 / 24);
  });

  it('drops NaN and infinite samples (no traffic: 0/0 error ratio, quantiles of nothing; an infinite gauge)', async () => {
    const idle: TelemetryScope = { namespace: NS, project: 'shop', component: 'idle', environment: 'idle-env' };
    const resources = await backend.metrics.resourceMetrics(query(idle));
    expectSeries(resources.cpuUsage, 0, { minPoints: 31 });
    expect(resources.memoryUsage).toEqual([]);
    const http = await backend.metrics.httpMetrics(query(idle));
    expectSeries(http.requestRate, 0, { minPoints: 31 });
    expect(http.errorRate).toEqual([]);
    expect(http.latencyP50Ms).toEqual([]);
    expect(http.latencyP99Ms).toEqual([]);
  });

  it('clamps the step so a window never yields more than maxPointsPerSeries points', async () => {
    const small = createPrometheusBackend({ url, scrapeIntervalSeconds: SCRAPE, maxPointsPerSeries: 20 });
    try {
      const result = await small.metrics.resourceMetrics(query(frontendDev, 1));
      expect(result.cpuUsage.length).toBeLessThanOrEqual(20);
      expect(result.cpuUsage.length).toBeGreaterThanOrEqual(18);
      const [first, second] = result.cpuUsage;
      expect(Date.parse(second!.timestamp) - Date.parse(first!.timestamp)).toBe(95_000); // ceil(1800 s / 19)
      expectSeries(result.cpuUsage, 0.08, { minPoints: 18 });
      const http = await small.metrics.httpMetrics(query(frontendDev, 1));
      for (const points of Object.values(http)) expect(points.length).toBeLessThanOrEqual(20);
    } finally {
      await small.close();
    }
    // Default cap (1100): a 1 s step over 30 minutes becomes 2 s → 901 points.
    const fine = await backend.metrics.resourceMetrics(query(frontendDev, 1));
    expect(fine.cpuUsage.length).toBe(901);
    expectSeries(fine.cpuUsage, 0.08, { minPoints: 901 });
    // A step longer than the rate window's minimum: the window follows the step, same average.
    const coarse = await backend.metrics.resourceMetrics(query(frontendDev, 600));
    expectSeries(coarse.cpuUsage, 0.08, { minPoints: 4 });
  });

  it('matches label values full of PromQL syntax literally (escaping round trip)', async () => {
    const weird: TelemetryScope = { namespace: WEIRD_NS, ...WEIRD };
    const resources = await backend.metrics.resourceMetrics(query(weird));
    expectSeries(resources.cpuUsage, 0.07);
    expectSeries(resources.memoryLimits, 200 * MiB);
    expectSeries((await backend.metrics.httpMetrics(query(weird))).requestRate, 7);
  });

  it('never widens on injection attempts in any scope value: they match literally, so nothing', async () => {
    const attempts = [
      '"}',
      'frontend"} or vector(1) or {"',
      'frontend"} or vector(1) #',
      'frontend", label_openchoreo_dev_component=~".*',
      '=~".*"',
      '.*',
      'frontend.*',
      'frontend\\',
      '\\"} or vector(1) or {\\"',
      'frontend\nor vector(1)',
      'frontend\u0000',
      'frontend\r\n"}) or on() vector(1)',
      `${NS}" or label_openchoreo_dev_namespace="${OTHER_NS}`,
    ];
    const fields: Array<keyof TelemetryScope> = ['namespace', 'project', 'component', 'environment'];
    for (const field of fields) {
      await Promise.all(
        attempts.map(async (attempt) => {
          const scope = { ...frontendDev, [field]: attempt };
          const resources = await backend.metrics.resourceMetrics(query(scope));
          const http = await backend.metrics.httpMetrics(query(scope));
          for (const [key, points] of [...Object.entries(resources), ...Object.entries(http)]) {
            expect(points, `${field}=${JSON.stringify(attempt)} → ${key}`).toEqual([]);
          }
        }),
      );
    }
  });
});

describe('Prometheus backend failures', () => {
  const scope: TelemetryScope = { namespace: 'n', component: 'c' };
  const window = { start: new Date(Date.now() - 3_600_000), end: new Date() };
  const servers: Array<HttpServer | NetServer> = [];
  const sockets = new Set<Socket>();

  async function listen(server: HttpServer | NetServer): Promise<string> {
    servers.push(server);
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }
  /** An HTTP server answering every request with `status` and `body`. */
  const answering = (status: number, body: string, type = 'application/json') =>
    listen(createHttpServer((_request, response) => response.writeHead(status, { 'content-type': type }).end(body)));

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function expectFailure(
    backendUrl: string,
    errorClass: new (...args: never[]) => Error,
    options: { timeoutMs?: number; within?: number } = {},
  ) {
    const backend = createPrometheusBackend({ url: backendUrl, requestTimeoutMs: options.timeoutMs ?? 5_000 });
    const started = Date.now();
    const error = await backend.metrics.resourceMetrics({ scope, window, stepSeconds: 60 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errorClass);
    expect(Date.now() - started).toBeLessThan(options.within ?? 2_000);
    const httpError = await backend.metrics.httpMetrics({ scope, window, stepSeconds: 60 }).catch((caught: unknown) => caught);
    expect(httpError).toBeInstanceOf(errorClass);
    await backend.close();
    return error as Error;
  }

  it('is UpstreamUnavailableError, quickly, when Prometheus is down; ping says false', async () => {
    const downUrl = `http://127.0.0.1:${await freePort()}`;
    const error = await expectFailure(downUrl, UpstreamUnavailableError, { within: 1_000 });
    expect(error.message).toBe('Prometheus is unavailable');
    const backend = createPrometheusBackend({ url: downUrl });
    expect(await backend.ping()).toBe(false);
    await backend.close();
  });

  it('never hangs: a server that accepts and never answers, or trickles bytes, hits the request timeout', async () => {
    const silent = await listen(createNetServer(() => undefined));
    await expectFailure(silent, UpstreamUnavailableError, { timeoutMs: 300, within: 1_500 });
    const trickling = await listen(
      createHttpServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => response.write(' '), 50);
        response.on('close', () => clearInterval(timer));
      }),
    );
    await expectFailure(trickling, UpstreamUnavailableError, { timeoutMs: 300, within: 1_500 });
    const backend = createPrometheusBackend({ url: silent, requestTimeoutMs: 300 });
    const started = Date.now();
    expect(await backend.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('treats malformed answers as errors, never as data', async () => {
    const html = await answering(200, '<html><body>proxy login</body></html>', 'text/html');
    const error = await expectFailure(html, UpstreamUnavailableError);
    expect(String((error.cause as Error | undefined)?.message)).toMatch(/malformed/);
    const vector = await answering(200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    await expectFailure(vector, UpstreamUnavailableError);
    const noData = await answering(200, JSON.stringify({ status: 'success' }));
    await expectFailure(noData, UpstreamUnavailableError);
    const badTime = await answering(
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [['soon', '1']] }] } }),
    );
    await expectFailure(badTime, UpstreamUnavailableError);
    const twoSeries = await answering(
      200,
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            { metric: {}, values: [] },
            { metric: {}, values: [] },
          ],
        },
      }),
    );
    await expectFailure(twoSeries, UpstreamUnavailableError);
  });

  it('maps 5xx to UpstreamUnavailableError and a refused query (4xx) to an internal error', async () => {
    await expectFailure(
      await answering(503, JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' })),
      UpstreamUnavailableError,
    );
    await expectFailure(
      await answering(400, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' })),
      InternalError,
    );
  });

  it('drops ±Inf samples as the driver reads them', async () => {
    // A real Prometheus writes "+Inf"/"-Inf"; the driver's parseFloat turns them into NaN. Checked here
    // on a canned answer (the real-server case is the idle component above).
    const now = Math.floor(Date.now() / 1000);
    const values = [
      [now - 120, '1.5'],
      [now - 60, 'NaN'],
      [now - 30, '+Inf'],
      [now - 20, '-Inf'],
      [now, '2'],
    ];
    const backendUrl = await answering(
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } }),
    );
    const backend = createPrometheusBackend({ url: backendUrl });
    const result = await backend.metrics.resourceMetrics({ scope, window, stepSeconds: 60 });
    expect(result.cpuUsage.map((point) => point.value)).toEqual([1.5, 2]);
    expect(result.cpuUsage[0]!.timestamp).toBe(new Date((now - 120) * 1000).toISOString());
    await backend.close();
  });

  it('fails every call after close()', async () => {
    const backend = createPrometheusBackend({ url: await prometheusServerUrl() });
    await backend.close();
    await expect(backend.metrics.resourceMetrics({ scope, window, stepSeconds: 60 })).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(await backend.ping()).toBe(false);
  });
});
