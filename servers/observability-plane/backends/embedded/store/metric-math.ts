import { METRIC_LABEL_VALUES, METRIC_LABELS } from '../../../../../shared/telemetry/conventions.js';
import type { MetricPoint, MetricsQuery } from '../../telemetry-backend.js';

/**
 * The metric arithmetic of the embedded store, pure (no SQL, no clock): the point grid of a range
 * query, last-sample gauges, per-second counter rates (resets and delta temporality handled) and
 * Prometheus-style histogram quantiles.
 *
 * A point at T covers the samples in `(T − range, T]`, `range = max(step, 60 s)`: gauges take the last
 * sample per series, summed over series; counters become a per-second rate per series (from the
 * increases between consecutive samples), summed over series.
 */

/** One stored sample: time (epoch ms), the counter's start time if known, value, and whether it is a delta. */
export interface Sample {
  t: number;
  start: number | null;
  v: number;
  delta: boolean;
}

/** One series' labels and its samples, sorted by time. */
export interface Series {
  labels: Record<string, string>;
  samples: Sample[];
}

export interface PointGrid {
  /** Point times (epoch ms). */
  times: number[];
  first: number;
  last: number;
  rangeMs: number;
}

export const MAX_POINTS = 11_000;
const MIN_RANGE_MS = 60_000;
/** How far before a point's range a counter's previous sample may lie and still count. */
export const PREVIOUS_SAMPLE_LOOKBACK_MS = 10 * 60_000;

/** Points at `start + i·step` (i ≥ 0, ≤ end); throws a RangeError for a bad window or step, or too many points. */
export function pointGrid(query: Pick<MetricsQuery, 'window' | 'stepSeconds'>): PointGrid {
  const start = query.window.start.getTime();
  const end = query.window.end.getTime();
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) throw new RangeError('metrics window: end must not be before start');
  if (!(query.stepSeconds >= 1)) throw new RangeError('metrics step must be at least 1 second');
  const stepMs = Math.floor(query.stepSeconds * 1000);
  const count = Math.floor((end - start) / stepMs) + 1;
  if (count > MAX_POINTS)
    throw new RangeError(`metrics query would return ${count} points per series (at most ${MAX_POINTS}); use a larger step`);
  const times = Array.from({ length: count }, (_, i) => start + i * stepMs);
  return { times, first: start, last: times[times.length - 1] ?? start, rangeMs: Math.max(stepMs, MIN_RANGE_MS) };
}

/** Index of the first sample with t > bound (samples sorted by t). */
function firstAfter(samples: readonly Sample[], bound: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((samples[mid] as Sample).t > bound) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The last sample in (T − range, T], if any. */
export function lastInRange(samples: readonly Sample[], time: number, rangeMs: number): Sample | undefined {
  const after = firstAfter(samples, time);
  const last = samples[after - 1];
  return last && last.t > time - rangeMs ? last : undefined;
}

/** A counter's increase over (T − range, T] and the time it spans, from consecutive samples. */
export function increaseInRange(
  samples: readonly Sample[],
  time: number,
  rangeMs: number,
): { increase: number; spanMs: number } | undefined {
  const from = firstAfter(samples, time - rangeMs);
  const to = firstAfter(samples, time);
  let increase = 0;
  let spanMs = 0;
  let pairs = 0;
  for (let i = from; i < to; i++) {
    const current = samples[i] as Sample;
    if (current.delta) {
      const previous = samples[i - 1];
      const begin = current.start !== null && current.start < current.t ? current.start : previous?.t;
      if (begin === undefined || current.t - begin > rangeMs + PREVIOUS_SAMPLE_LOOKBACK_MS) continue;
      increase += Math.max(0, current.v);
      spanMs += current.t - begin;
      pairs++;
      continue;
    }
    const previous = samples[i - 1];
    if (!previous || current.t - previous.t > rangeMs + PREVIOUS_SAMPLE_LOOKBACK_MS) continue;
    // A counter that went down, or whose start time moved past the previous sample, was reset.
    const reset = current.v < previous.v || (current.start !== null && current.start > previous.t);
    increase += reset ? current.v : current.v - previous.v;
    spanMs += current.t - previous.t;
    pairs++;
  }
  return pairs > 0 && spanMs > 0 ? { increase, spanMs } : undefined;
}

/** Per point: the sum over series of each series' last sample in range (no point where no series has one). */
export function sumOfGauges(series: readonly Series[], grid: PointGrid): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const time of grid.times) {
    let sum = 0;
    let seen = false;
    for (const s of series) {
      const sample = lastInRange(s.samples, time, grid.rangeMs);
      if (sample) {
        sum += sample.v;
        seen = true;
      }
    }
    if (seen) points.push({ timestamp: new Date(time).toISOString(), value: sum });
  }
  return points;
}

/** Per point: the sum over series of each counter's per-second rate in range. */
export function sumOfRates(series: readonly Series[], grid: PointGrid): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const time of grid.times) {
    let sum = 0;
    let seen = false;
    for (const s of series) {
      const window = increaseInRange(s.samples, time, grid.rangeMs);
      if (window) {
        sum += (window.increase * 1000) / window.spanMs;
        seen = true;
      }
    }
    if (seen) points.push({ timestamp: new Date(time).toISOString(), value: sum });
  }
  return points;
}

/** Percentile series (ms) from cumulative `_bucket{le}` counters, summed over series per `le`. */
export function quantileSeries(buckets: readonly Series[], grid: PointGrid, quantiles: readonly number[]): MetricPoint[][] {
  const out: MetricPoint[][] = quantiles.map(() => []);
  for (const time of grid.times) {
    const byBound = new Map<number, number>();
    for (const s of buckets) {
      const bound = parseBound(s.labels[METRIC_LABELS.le] ?? '');
      if (bound === undefined) continue;
      const window = increaseInRange(s.samples, time, grid.rangeMs);
      if (window) byBound.set(bound, (byBound.get(bound) ?? 0) + window.increase);
    }
    const sorted = [...byBound.entries()].map(([upper, count]) => ({ upper, count })).sort((a, b) => a.upper - b.upper);
    quantiles.forEach((q, i) => {
      const seconds = histogramQuantile(q, sorted);
      if (seconds !== undefined) out[i]?.push({ timestamp: new Date(time).toISOString(), value: seconds * 1000 });
    });
  }
  return out;
}

/** A bucket's `le` label as a number (`+Inf` and its spellings = Infinity); undefined when it is not a number. */
export function parseBound(le: string): number | undefined {
  if (le === METRIC_LABEL_VALUES.infiniteBound || le === 'Inf' || le === 'inf' || le === '+inf') return Infinity;
  const value = Number(le);
  return le.trim() !== '' && !Number.isNaN(value) ? value : undefined;
}

/**
 * Prometheus `histogram_quantile`: cumulative buckets sorted by upper bound, the last being +Inf; linear
 * interpolation inside the bucket holding the rank; a rank in the +Inf bucket returns the highest finite
 * bound. Undefined when there is no +Inf bucket or no observation.
 */
export function histogramQuantile(q: number, buckets: readonly { upper: number; count: number }[]): number | undefined {
  const last = buckets[buckets.length - 1];
  if (!last || last.upper !== Infinity || buckets.length < 2) return undefined;
  // Counts must be monotonic in `le`; series summed over a window can break that slightly.
  const counts: number[] = [];
  for (const b of buckets) counts.push(Math.max(b.count, counts[counts.length - 1] ?? 0));
  const total = counts[counts.length - 1] as number;
  if (!(total > 0) || q < 0 || q > 1) return undefined;
  const rank = q * total;
  let index = counts.findIndex((count) => count >= rank);
  if (index < 0) index = counts.length - 1;
  if (index === buckets.length - 1) return (buckets[buckets.length - 2] as { upper: number }).upper;
  const upper = (buckets[index] as { upper: number }).upper;
  const lower = index === 0 ? (upper > 0 ? 0 : upper) : (buckets[index - 1] as { upper: number }).upper;
  const below = index === 0 ? 0 : (counts[index - 1] as number);
  const inBucket = (counts[index] as number) - below;
  return inBucket > 0 ? lower + (upper - lower) * ((rank - below) / inBucket) : upper;
}
