import { HISTOGRAM_SUFFIXES, METRIC_LABEL_VALUES, METRIC_LABELS, PLATFORM_LABELS } from '../../../../../shared/telemetry/conventions.js';
import type { MetricSampleInput, SampleTemporality } from '../store/telemetry-store.js';
import { attributes, labelText, MISSING_NAMESPACE, resourceInfo, setOwn } from './attribute-mapping.js';
import { child, list, nanosToMicros, text, type Obj } from './message-fields.js';
import type { Rejections } from './rejections.js';

const AGGREGATION_DELTA = 1;
const NO_RECORDED_VALUE = 1;

type HistogramSample = { name: string; labels: Record<string, string>; value: number; temporality: SampleTemporality };

function numberValue(point: Obj): number | undefined {
  const value = point.asDouble !== undefined ? Number(point.asDouble) : point.asInt !== undefined ? Number(point.asInt) : undefined;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function formatBound(bound: number): string {
  return bound === Infinity ? METRIC_LABEL_VALUES.infiniteBound : String(bound);
}

function labelsOf(point: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes(point))) setOwn(out, key, labelText(value));
  return out;
}

function dataPoints(metric: Obj): Obj[] {
  for (const field of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
    const data = child(metric, field);
    if (data) return list(data, 'dataPoints');
  }
  return [];
}

/**
 * ExportMetricsServiceRequest → samples. Gauges and non-monotonic sums are gauges; monotonic sums
 * cumulative or delta counters; histograms become `<name>_bucket{le}` (cumulative per bound,
 * `le="+Inf"` = count), `<name>_count` and `<name>_sum`. Exponential histograms and summaries are
 * rejected. Resource attributes other than the scope are part of each series' identity.
 */
export function convertMetrics(
  message: Obj,
  rejections: Rejections,
  defaultNamespace: string | undefined,
  countItems: (n: number) => void,
): MetricSampleInput[] {
  const groups = list(message, 'resourceMetrics').map((rm) => ({
    rm,
    metrics: list(rm, 'scopeMetrics').flatMap((sm) => list(sm, 'metrics')),
  }));
  countItems(groups.reduce((n, g) => n + g.metrics.reduce((m, metric) => m + dataPoints(metric).length, 0), 0));
  const out: MetricSampleInput[] = [];
  const scopeKeys = new Set<string>(Object.values(PLATFORM_LABELS));
  for (const { rm, metrics } of groups) {
    const resource = resourceInfo(rm, defaultNamespace);
    if (!resource.scope) {
      const points = metrics.reduce((n, metric) => n + dataPoints(metric).length, 0);
      if (points > 0) rejections.reject(MISSING_NAMESPACE, points);
      continue;
    }
    const scope = resource.scope;
    const seriesResource: Record<string, string> = {};
    for (const [key, value] of Object.entries(resource.attributes)) if (!scopeKeys.has(key)) setOwn(seriesResource, key, labelText(value));
    for (const metric of metrics) {
      const name = text(metric.name);
      const points = dataPoints(metric);
      if (!name) {
        if (points.length > 0) rejections.reject('metric without a name', points.length);
        continue;
      }
      const gauge = child(metric, 'gauge');
      const sum = child(metric, 'sum');
      const histogram = child(metric, 'histogram');
      if (!gauge && !sum && !histogram) {
        if (points.length > 0)
          rejections.reject(`metric ${name.slice(0, 100)}: only gauge, sum and histogram metrics are supported`, points.length);
        continue;
      }
      const aggregation = Number((sum ?? histogram)?.aggregationTemporality ?? 0);
      for (const point of points) {
        if ((Number(point.flags ?? 0) & NO_RECORDED_VALUE) !== 0) continue;
        const timeUs = nanosToMicros(point.timeUnixNano);
        if (timeUs === undefined) {
          rejections.reject('data point without a valid timeUnixNano');
          continue;
        }
        const startUs = nanosToMicros(point.startTimeUnixNano);
        const base = {
          scope,
          resource: seriesResource,
          timeMs: Math.floor(timeUs / 1000),
          ...(startUs !== undefined ? { startMs: Math.floor(startUs / 1000) } : {}),
        };
        const labels = labelsOf(point);
        if (histogram) {
          const samples = histogramSamples(name, point, labels, aggregation === AGGREGATION_DELTA ? 'delta' : 'cumulative');
          if (!samples) {
            rejections.reject(`metric ${name.slice(0, 100)}: histogram data point with inconsistent bucketCounts and explicitBounds`);
            continue;
          }
          for (const sample of samples) out.push({ ...base, ...sample });
          continue;
        }
        const value = numberValue(point);
        if (value === undefined) {
          rejections.reject(`metric ${name.slice(0, 100)}: data point without a finite asDouble or asInt`);
          continue;
        }
        let temporality: SampleTemporality = 'gauge';
        if (sum && sum.isMonotonic === true) temporality = aggregation === AGGREGATION_DELTA ? 'delta' : 'cumulative';
        out.push({ ...base, name, labels, value, temporality });
      }
    }
  }
  return out;
}

function histogramSamples(
  name: string,
  point: Obj,
  labels: Record<string, string>,
  temporality: SampleTemporality,
): HistogramSample[] | undefined {
  const bounds = Array.isArray(point.explicitBounds) ? point.explicitBounds.map(Number) : [];
  const counts = Array.isArray(point.bucketCounts) ? point.bucketCounts.map(Number) : [];
  if (counts.length === 0 && bounds.length === 0) return [];
  if (counts.length !== bounds.length + 1 || !bounds.every(Number.isFinite) || !counts.every((c) => Number.isFinite(c) && c >= 0))
    return undefined;
  const samples: HistogramSample[] = [];
  let cumulative = 0;
  counts.forEach((count, i) => {
    cumulative += count;
    samples.push({
      name: `${name}${HISTOGRAM_SUFFIXES.bucket}`,
      labels: { ...labels, [METRIC_LABELS.le]: formatBound(bounds[i] ?? Infinity) },
      value: cumulative,
      temporality,
    });
  });
  const total = point.count !== undefined && Number.isFinite(Number(point.count)) ? Number(point.count) : cumulative;
  samples.push({ name: `${name}${HISTOGRAM_SUFFIXES.count}`, labels, value: total, temporality });
  if (point.sum !== undefined && Number.isFinite(Number(point.sum)))
    samples.push({ name: `${name}${HISTOGRAM_SUFFIXES.sum}`, labels, value: Number(point.sum), temporality });
  return samples;
}
