import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import { InternalError, PlaneError, UpstreamUnavailableError } from '../../../../shared/errors/plane-errors.js';
import type { HttpMetrics, MetricPoint, MetricsBackend, MetricsQuery, ResourceMetrics } from '../telemetry-backend.js';
import {
  buildHttpQueries,
  buildResourceQueries,
  planRange,
  resolveNames,
  type LabelNames,
  type MetricNames,
  type RangePlan,
} from './promql.js';

/**
 * The Prometheus metrics adapter (OpenChoreo's conventions, NAME labels): resource usage vs requests
 * and limits from cAdvisor + kube-state-metrics, HTTP rate / error ratio / latency percentiles from
 * Hubble, each query joined on kube_pod_labels and scoped by namespace, project, component and
 * environment. Queries are built by promql.ts (escaped values, configured names only).
 *
 * Failure mapping: connection refused, timeouts (client side, hard deadline per request) and HTTP
 * 5xx → UpstreamUnavailableError; an answer that is not the JSON Prometheus sends (a proxy's HTML
 * page, a wrong result type, bad samples) → UpstreamUnavailableError whose cause says "malformed";
 * HTTP 4xx (Prometheus refused our query: a server fault) → InternalError.
 */

export interface PrometheusBackendOptions {
  /** Base URL, e.g. http://prometheus:9090 (a path prefix is kept). */
  url: string;
  /** Hard deadline per HTTP request (default 5000 ms); Prometheus is also told to stop evaluating then. */
  requestTimeoutMs?: number;
  /** Label-name overrides (validated against Prometheus' grammar). */
  labels?: Partial<LabelNames>;
  /** Metric-name overrides (validated). */
  metricNames?: Partial<MetricNames>;
  /** Upper bound on points per returned series; the step grows to respect it (default 1100). */
  maxPointsPerSeries?: number;
  /** The scrape interval of the cluster's Prometheus (default 30 s): the rate window is at least 4 of them. */
  scrapeIntervalSeconds?: number;
}

export interface PrometheusBackend {
  metrics: MetricsBackend;
  /** Does Prometheus answer a trivial query within the timeout? Never throws. */
  ping(): Promise<boolean>;
  /** Aborts requests in flight; later calls fail. */
  close(): Promise<void>;
}

const BACKEND = 'Prometheus';
/** Prometheus refuses more than 11,000 points per series. */
const PROMETHEUS_MAX_POINTS = 11_000;

/** Thrown inside the adapter for an answer that is not what Prometheus sends; becomes UpstreamUnavailableError. */
class MalformedAnswerError extends Error {
  override name = 'MalformedAnswerError';
}

/** The driver rejects with plain objects (`{ status: 'error', errorType, error, httpStatus? }`). */
interface DriverFailure {
  status: 'error';
  errorType: string;
  error?: unknown;
  httpStatus?: number;
  code?: string;
  original?: unknown;
}

function isDriverFailure(value: unknown): value is DriverFailure {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { status?: unknown }).status === 'error' &&
    typeof (value as { errorType?: unknown }).errorType === 'string'
  );
}

function toServerError(failure: unknown): PlaneError {
  if (failure instanceof PlaneError) return failure;
  // The driver's own "not a Prometheus answer" rejection (client_error) passes through its catch
  // handler again and comes out as a network_error wrapping the original: unwrap it.
  if (isDriverFailure(failure) && failure.errorType === 'network_error' && isDriverFailure(failure.original)) failure = failure.original;
  if (isDriverFailure(failure)) {
    const detail = `${failure.errorType}${failure.httpStatus ? ` (HTTP ${failure.httpStatus})` : ''}${failure.code ? ` [${failure.code}]` : ''}: ${String(failure.error ?? '')}`;
    const cause = new Error(`Prometheus request failed: ${detail}`);
    if (failure.errorType === 'http_error' && failure.httpStatus !== undefined && failure.httpStatus >= 400 && failure.httpStatus < 500) {
      return new InternalError({ cause });
    }
    if (failure.errorType === 'client_error')
      return new UpstreamUnavailableError(BACKEND, { cause: new MalformedAnswerError(`malformed answer: ${detail}`) });
    return new UpstreamUnavailableError(BACKEND, { cause });
  }
  if (failure instanceof MalformedAnswerError) return new UpstreamUnavailableError(BACKEND, { cause: failure });
  // The driver parses the body itself; a TypeError/Error from there means the JSON had the wrong shape.
  return new UpstreamUnavailableError(BACKEND, {
    cause: new MalformedAnswerError(`malformed answer: ${String(failure)}`, { cause: failure }),
  });
}

/** One series (or none) from a range query; NaN/±Inf samples dropped (the driver reads "+Inf" as NaN). */
function toPoints(result: QueryResult, scale: number): MetricPoint[] {
  if (result === null || typeof result !== 'object' || result.resultType !== 'matrix' || !Array.isArray(result.result)) {
    throw new MalformedAnswerError(
      `malformed answer: expected a matrix, got ${String((result as { resultType?: unknown } | null)?.resultType)}`,
    );
  }
  const series = result.result as Array<{ values?: unknown }>;
  if (series.length === 0) return [];
  // Every query sums to at most one series; more means the answer is not for our query.
  if (series.length > 1) throw new MalformedAnswerError(`malformed answer: expected at most one series, got ${series.length}`);
  const values = series[0]?.values;
  if (!Array.isArray(values)) throw new MalformedAnswerError('malformed answer: a series without values');
  const points: MetricPoint[] = [];
  for (const sample of values as Array<{ time?: unknown; value?: unknown }>) {
    const time = sample.time;
    if (!(time instanceof Date) || Number.isNaN(time.getTime()) || typeof sample.value !== 'number') {
      throw new MalformedAnswerError('malformed answer: a sample without a valid time or value');
    }
    if (!Number.isFinite(sample.value)) continue;
    points.push({ timestamp: time.toISOString(), value: sample.value * scale });
  }
  return points;
}

export function createPrometheusBackend(options: PrometheusBackendOptions): PrometheusBackend {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new Error(`Prometheus backend: invalid URL ${JSON.stringify(options.url)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('Prometheus backend: the URL must be http or https');
  const timeoutMs = options.requestTimeoutMs ?? 5_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error('Prometheus backend: requestTimeoutMs must be a positive integer');
  const maxPoints = options.maxPointsPerSeries ?? 1_100;
  if (!Number.isInteger(maxPoints) || maxPoints < 2 || maxPoints > PROMETHEUS_MAX_POINTS) {
    throw new Error(`Prometheus backend: maxPointsPerSeries must be an integer from 2 to ${PROMETHEUS_MAX_POINTS}`);
  }
  const scrapeIntervalSeconds = options.scrapeIntervalSeconds ?? 30;
  if (!Number.isFinite(scrapeIntervalSeconds) || scrapeIntervalSeconds <= 0)
    throw new Error('Prometheus backend: scrapeIntervalSeconds must be positive');
  const names = resolveNames(options.labels, options.metricNames);

  // close() aborts everything in flight; each request also gets its own hard deadline (axios' own
  // `timeout` is an idle timeout on the socket, which a server trickling bytes could keep alive).
  const closing = new AbortController();
  const driver = new PrometheusDriver({
    endpoint: base.href.replace(/\/$/, ''),
    baseURL: '/api/v1/',
    timeout: timeoutMs,
    preferPost: true, // form-encoded POST: long queries never hit URL length limits
    requestInterceptor: {
      onFulfilled: (config) => {
        config.signal = anySignal([closing.signal, AbortSignal.timeout(timeoutMs)]);
        return config;
      },
    },
  });
  // Prometheus stops evaluating at the same deadline (it answers 503 "query timed out").
  const evaluationTimeout = `${timeoutMs}ms`;

  async function rangeQuery(query: string, plan: RangePlan, scale = 1): Promise<MetricPoint[]> {
    if (closing.signal.aborted) throw new UpstreamUnavailableError(BACKEND, { cause: new Error('the Prometheus backend is closed') });
    let result: QueryResult;
    try {
      result = await driver.rangeQuery(query, plan.start, plan.end, plan.stepSeconds, evaluationTimeout);
    } catch (failure) {
      throw toServerError(failure);
    }
    try {
      return toPoints(result, scale);
    } catch (failure) {
      throw toServerError(failure);
    }
  }

  function plan(query: MetricsQuery): RangePlan {
    return planRange(query.window, query.stepSeconds, { maxPoints, scrapeIntervalSeconds });
  }

  const metrics: MetricsBackend = {
    async resourceMetrics(query: MetricsQuery): Promise<ResourceMetrics> {
      const range = plan(query);
      const q = buildResourceQueries(query.scope, range.rateWindowSeconds, names);
      const [cpuUsage, cpuRequests, cpuLimits, memoryUsage, memoryRequests, memoryLimits] = await Promise.all([
        rangeQuery(q.cpuUsage, range),
        rangeQuery(q.cpuRequests, range),
        rangeQuery(q.cpuLimits, range),
        rangeQuery(q.memoryUsage, range),
        rangeQuery(q.memoryRequests, range),
        rangeQuery(q.memoryLimits, range),
      ]);
      return { cpuUsage, cpuRequests, cpuLimits, memoryUsage, memoryRequests, memoryLimits };
    },

    async httpMetrics(query: MetricsQuery): Promise<HttpMetrics> {
      const range = plan(query);
      const q = buildHttpQueries(query.scope, range.rateWindowSeconds, names);
      const [requestRate, errorRate, latencyP50Ms, latencyP90Ms, latencyP99Ms] = await Promise.all([
        rangeQuery(q.requestRate, range),
        rangeQuery(q.errorRate, range),
        rangeQuery(q.latencyP50, range, 1000),
        rangeQuery(q.latencyP90, range, 1000),
        rangeQuery(q.latencyP99, range, 1000),
      ]);
      return { requestRate, errorRate, latencyP50Ms, latencyP90Ms, latencyP99Ms };
    },
  };

  return {
    metrics,
    async ping() {
      if (closing.signal.aborted) return false;
      try {
        const result = await driver.instantQuery('vector(1)', new Date(), evaluationTimeout);
        return result.resultType === 'vector';
      } catch {
        return false;
      }
    },
    async close() {
      closing.abort();
    },
  };
}

/** AbortSignal.any (Node ≥ 20.3) without requiring it. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (any) return any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true, signal: controller.signal });
  }
  return controller.signal;
}
