import {
  HISTOGRAM_SUFFIXES,
  KUBE_STATE_METRICS_PLATFORM_LABELS,
  METRIC_LABEL_VALUES,
  METRIC_LABELS,
  METRICS,
} from '../../../../shared/telemetry/conventions.js';
import { InvalidInputError } from '../../../../shared/errors/plane-errors.js';
import type { TelemetryScope, TimeWindow } from '../telemetry-backend.js';

/**
 * PromQL for the Prometheus metrics adapter: OpenChoreo's templates (reference §4.3), scoped by NAME
 * labels (we have no UIDs). Two rules keep caller text out of PromQL syntax:
 *
 * - every label VALUE goes through `promqlString` (the one escaping function) into an equality
 *   matcher (`=`, never `=~`), so it can only ever match itself;
 * - every label NAME and metric name comes from configuration, checked against Prometheus' grammar
 *   when the backend is built (`resolveNames`).
 */

/** Label names the queries use; all configurable (kube-state-metrics, cAdvisor and Hubble defaults). */
export interface LabelNames {
  /** Pod and Kubernetes namespace on kube-state-metrics and cAdvisor series. */
  pod: string;
  namespace: string;
  container: string;
  /** The platform scope, as kube-state-metrics exposes pod labels (`openchoreo.dev/namespace` → `label_openchoreo_dev_namespace`). */
  platformNamespace: string;
  project: string;
  component: string;
  environment: string;
  /** kube_pod_container_resource_requests/limits: `resource="cpu"|"memory"`. */
  resource: string;
  /** kube_pod_status_phase: `phase="Running"`. */
  phase: string;
  /** Hubble HTTP series. */
  destinationPod: string;
  destinationNamespace: string;
  reporter: string;
  status: string;
}

export const DEFAULT_LABEL_NAMES: LabelNames = {
  pod: METRIC_LABELS.pod,
  namespace: METRIC_LABELS.namespace,
  container: METRIC_LABELS.container,
  platformNamespace: KUBE_STATE_METRICS_PLATFORM_LABELS.namespace,
  project: KUBE_STATE_METRICS_PLATFORM_LABELS.project,
  component: KUBE_STATE_METRICS_PLATFORM_LABELS.component,
  environment: KUBE_STATE_METRICS_PLATFORM_LABELS.environment,
  resource: METRIC_LABELS.resource,
  phase: METRIC_LABELS.phase,
  destinationPod: METRIC_LABELS.destinationPod,
  destinationNamespace: METRIC_LABELS.destinationNamespace,
  reporter: METRIC_LABELS.reporter,
  status: METRIC_LABELS.status,
};

export interface MetricNames {
  podLabels: string;
  cpuUsageSecondsTotal: string;
  memoryWorkingSetBytes: string;
  resourceRequests: string;
  resourceLimits: string;
  podStatusPhase: string;
  httpRequestsTotal: string;
  /** Histogram base name: `<name>_bucket` is queried. */
  httpRequestDurationSeconds: string;
}

export const DEFAULT_METRIC_NAMES: MetricNames = {
  podLabels: METRICS.podLabels,
  cpuUsageSecondsTotal: METRICS.cpuUsageSecondsTotal,
  memoryWorkingSetBytes: METRICS.memoryWorkingSetBytes,
  resourceRequests: METRICS.resourceRequests,
  resourceLimits: METRICS.resourceLimits,
  podStatusPhase: METRICS.podStatusPhase,
  httpRequestsTotal: METRICS.httpRequestsTotal,
  httpRequestDurationSeconds: METRICS.httpRequestDurationSeconds,
};

/** Prometheus label-name grammar; names starting with `__` are reserved for Prometheus itself. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export interface Names {
  labels: LabelNames;
  metrics: MetricNames;
}

/** Merges overrides into the defaults and validates every name; throws (at construction) on a bad one. */
export function resolveNames(labels: Partial<LabelNames> = {}, metrics: Partial<MetricNames> = {}): Names {
  const resolvedLabels: LabelNames = { ...DEFAULT_LABEL_NAMES };
  for (const [key, value] of Object.entries(labels) as Array<[keyof LabelNames, unknown]>) {
    if (!(key in DEFAULT_LABEL_NAMES)) throw new Error(`Prometheus backend: unknown label setting "${key}"`);
    if (value === undefined) continue;
    if (typeof value !== 'string' || !LABEL_NAME.test(value) || value.startsWith('__') || value === METRIC_LABELS.le) {
      throw new Error(`Prometheus backend: label name for "${key}" is not a valid Prometheus label name: ${JSON.stringify(value)}`);
    }
    resolvedLabels[key] = value;
  }
  const resolvedMetrics: MetricNames = { ...DEFAULT_METRIC_NAMES };
  for (const [key, value] of Object.entries(metrics) as Array<[keyof MetricNames, unknown]>) {
    if (!(key in DEFAULT_METRIC_NAMES)) throw new Error(`Prometheus backend: unknown metric setting "${key}"`);
    if (value === undefined) continue;
    if (typeof value !== 'string' || !METRIC_NAME.test(value) || value.startsWith('__')) {
      throw new Error(`Prometheus backend: metric name for "${key}" is not a valid Prometheus metric name: ${JSON.stringify(value)}`);
    }
    resolvedMetrics[key] = value;
  }
  // The join and scope labels must be distinct, or a scope matcher would overwrite a join key.
  const mustDiffer: Array<keyof LabelNames> = [
    'pod',
    'namespace',
    'platformNamespace',
    'project',
    'component',
    'environment',
    'destinationPod',
    'destinationNamespace',
  ];
  const seen = new Map<string, keyof LabelNames>();
  for (const key of mustDiffer) {
    const other = seen.get(resolvedLabels[key]);
    if (other) throw new Error(`Prometheus backend: label settings "${other}" and "${key}" both name "${resolvedLabels[key]}"`);
    seen.set(resolvedLabels[key], key);
  }
  return { labels: resolvedLabels, metrics: resolvedMetrics };
}

/**
 * THE escaping function: any string → a PromQL double-quoted string literal that denotes exactly it.
 * PromQL strings follow Go's escapes: backslash and double quote are escaped, a raw newline would end
 * the literal (so it is written `\n`), and other control characters are written as `\u00XX` for
 * readability. Lone UTF-16 surrogates have no UTF-8 form (they would reach Prometheus as U+FFFD and
 * match a different value), so they are refused.
 */
export function promqlString(value: string): string {
  if (/\p{Cs}/u.test(value)) throw new InvalidInputError('A label value contains an unpaired UTF-16 surrogate.');
  let out = '"';
  for (const char of value) {
    switch (char) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default: {
        const code = char.codePointAt(0) ?? 0;
        out += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : char;
      }
    }
  }
  return `${out}"`;
}

/** `{name="value", …}` from (configured name, caller value) pairs; values escaped, equality only. */
function selector(matchers: Array<[string, string]>, extra: string[] = []): string {
  return `{${[...matchers.map(([name, value]) => `${name}=${promqlString(value)}`), ...extra].join(', ')}}`;
}

/**
 * The scope matchers on the pod-labels series. Every present field must be a non-empty string: in
 * PromQL `label=""` matches series WITHOUT the label, which would select other pods, so an empty
 * value is refused rather than treated as "absent" (that would widen to the whole namespace).
 */
function scopeMatchers(scope: TelemetryScope, labels: LabelNames): Array<[string, string]> {
  const matchers: Array<[string, string]> = [];
  const add = (label: string, field: keyof TelemetryScope, value: string | undefined, required: boolean) => {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || value.length === 0) throw new InvalidInputError(`Metrics scope: ${field} must be a non-empty name.`);
    matchers.push([label, value]);
  };
  add(labels.platformNamespace, 'namespace', scope.namespace, true);
  add(labels.project, 'project', scope.project, false);
  add(labels.component, 'component', scope.component, false);
  add(labels.environment, 'environment', scope.environment, false);
  return matchers;
}

/** Duration literal in whole seconds. */
function duration(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}

export interface ResourceQueries {
  cpuUsage: string;
  cpuRequests: string;
  cpuLimits: string;
  memoryUsage: string;
  memoryRequests: string;
  memoryLimits: string;
}

export interface HttpQueries {
  requestRate: string;
  errorRate: string;
  latencyP50: string;
  latencyP90: string;
  latencyP99: string;
}

/**
 * The pods in scope, one series per (namespace, pod) with value 1. `max by` collapses duplicates
 * (several kube-state-metrics replicas or jobs exporting the same pod), which would otherwise make
 * the `group_left` join fail with "many-to-many matching not allowed".
 */
function podsInScope(scope: TelemetryScope, names: Names): string {
  const { labels, metrics } = names;
  return `max by (${labels.namespace}, ${labels.pod}) (${metrics.podLabels}${selector(scopeMatchers(scope, labels))})`;
}

/**
 * Resource series (§4.3), one series each: `sum(...)` instead of OpenChoreo's `sum by (<scope labels>)`
 * gives the same single series (every scope label is pinned by an equality matcher) without
 * carrying the scope labels through the join.
 */
export function buildResourceQueries(scope: TelemetryScope, rateWindowSeconds: number, names: Names): ResourceQueries {
  const { labels, metrics } = names;
  const pods = podsInScope(scope, names);
  const join = `* on (${labels.namespace}, ${labels.pod}) group_left ${pods}`;
  const containers = [`${labels.container}!=""`, `${labels.container}!="POD"`]; // not the pod cgroup nor the pause container
  const running = `(${metrics.podStatusPhase}${selector([[labels.phase, METRIC_LABEL_VALUES.running]])} == 1)`;
  const allocation = (metric: string, resource: string) =>
    `sum((${metric}${selector([[labels.resource, resource]])} and on (${labels.namespace}, ${labels.pod}) ${running}) ${join})`;
  return {
    cpuUsage: `sum(rate(${metrics.cpuUsageSecondsTotal}${selector([], containers)}[${duration(rateWindowSeconds)}]) ${join})`,
    cpuRequests: allocation(metrics.resourceRequests, METRIC_LABEL_VALUES.cpu),
    cpuLimits: allocation(metrics.resourceLimits, METRIC_LABEL_VALUES.cpu),
    memoryUsage: `sum(${metrics.memoryWorkingSetBytes}${selector([], containers)} ${join})`,
    memoryRequests: allocation(metrics.resourceRequests, METRIC_LABEL_VALUES.memory),
    memoryLimits: allocation(metrics.resourceLimits, METRIC_LABEL_VALUES.memory),
  };
}

/**
 * HTTP series from Hubble L7 metrics (§4.3), server side (`reporter="server"`: measured at the
 * destination pod, i.e. the component answering). Hubble names the pod `destination_pod` /
 * `destination_namespace`, so the pod-labels series are renamed (label_replace) before the join.
 * Error ratio = (4xx + 5xx) / all; `or 0 * all` makes it 0, not absent, when there were requests but
 * no error series. Latency percentiles are in seconds here (the backend converts to ms).
 */
export function buildHttpQueries(scope: TelemetryScope, rateWindowSeconds: number, names: Names): HttpQueries {
  const { labels, metrics } = names;
  const renamed =
    `label_replace(label_replace(${podsInScope(scope, names)}, ` +
    `"${labels.destinationNamespace}", "$1", "${labels.namespace}", "(.*)"), "${labels.destinationPod}", "$1", "${labels.pod}", "(.*)")`;
  const join = `* on (${labels.destinationNamespace}, ${labels.destinationPod}) group_left ${renamed}`;
  const window = duration(rateWindowSeconds);
  const server: Array<[string, string]> = [[labels.reporter, METRIC_LABEL_VALUES.serverReporter]];
  const all = `sum(rate(${metrics.httpRequestsTotal}${selector(server)}[${window}]) ${join})`;
  const errors = `sum(rate(${metrics.httpRequestsTotal}${selector(server, [`${labels.status}=~"[45].."`])}[${window}]) ${join})`;
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (${METRIC_LABELS.le}) (rate(${metrics.httpRequestDurationSeconds}${HISTOGRAM_SUFFIXES.bucket}${selector(server)}[${window}]) ${join}))`;
  return {
    requestRate: all,
    errorRate: `(${errors} or 0 * ${all}) / ${all}`,
    latencyP50: quantile(0.5),
    latencyP90: quantile(0.9),
    latencyP99: quantile(0.99),
  };
}

export interface RangePlan {
  start: Date;
  end: Date;
  stepSeconds: number;
  rateWindowSeconds: number;
}

/**
 * Step and rate window for a range query.
 *
 * - step: at least the requested one, at least 1 s, and large enough that the window never yields
 *   more than `maxPoints` points (Prometheus returns floor(range/step) + 1 of them).
 * - rate window = max(step, 4 × scrape interval). Four scrape intervals keep at least ~4 samples
 *   in every window (robust to a missed scrape; `rate` needs two). Never shorter than the step, so
 *   consecutive points cover the whole range: with OpenChoreo's fixed 2m window a 1h step would
 *   look at 2 minutes of each hour and miss spikes in between.
 */
export function planRange(
  window: TimeWindow,
  stepSeconds: number,
  options: { maxPoints: number; scrapeIntervalSeconds: number },
): RangePlan {
  const start = window.start.getTime();
  const end = window.end.getTime();
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new InvalidInputError('The time window has an invalid start or end.');
  if (end < start) throw new InvalidInputError('The time window ends before it starts.');
  if (!Number.isFinite(stepSeconds) || stepSeconds <= 0) throw new InvalidInputError('The step must be a positive number of seconds.');
  const rangeSeconds = (end - start) / 1000;
  const minimumForPoints = options.maxPoints > 1 ? Math.ceil(rangeSeconds / (options.maxPoints - 1)) : Math.ceil(rangeSeconds) + 1;
  const step = Math.max(1, Math.ceil(stepSeconds), minimumForPoints);
  return {
    start: new Date(start),
    end: new Date(end),
    stepSeconds: step,
    rateWindowSeconds: Math.max(step, 4 * options.scrapeIntervalSeconds),
  };
}
