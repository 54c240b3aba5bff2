import { describe, expect, it } from 'vitest';
import {
  histogramQuantile,
  increaseInRange,
  lastInRange,
  parseBound,
  pointGrid,
  quantileSeries,
  sumOfGauges,
  sumOfRates,
  type Sample,
  type Series,
} from '../../servers/observability-plane/backends/embedded/store/metric-math.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (seconds: number) => T0 + seconds * 1000;
const iso = (seconds: number) => new Date(at(seconds)).toISOString();
const MINUTE_MS = 60_000;

const grid = (startS: number, endS: number, stepSeconds: number) =>
  pointGrid({ window: { start: new Date(at(startS)), end: new Date(at(endS)) }, stepSeconds });
/** Cumulative counter or gauge samples from [seconds, value] pairs. */
const samples = (points: Array<[number, number]>, start: number | null = null): Sample[] =>
  points.map(([s, v]) => ({ t: at(s), start, v, delta: false }));
const delta = (s: number, v: number, startS: number | null): Sample => ({
  t: at(s),
  start: startS === null ? null : at(startS),
  v,
  delta: true,
});
const series = (points: Array<[number, number]>, labels: Record<string, string> = {}): Series => ({ labels, samples: samples(points) });
/** A counter rising by `perSecond`, sampled every 15 s from `fromS` to `toS`. */
const steadyCounter = (perSecond: number, fromS: number, toS: number, labels: Record<string, string> = {}): Series => {
  const points: Array<[number, number]> = [];
  for (let s = fromS; s <= toS; s += 15) points.push([s, perSecond * (s - fromS)]);
  return series(points, labels);
};

describe('metric math: the point grid', () => {
  it('puts points at start + i·step up to the end, covering max(step, 60 s) each', () => {
    const minute = grid(0, 600, 60);
    expect(minute.times).toHaveLength(11);
    expect(minute.times[0]).toBe(at(0));
    expect(minute.times[10]).toBe(at(600));
    expect(minute).toMatchObject({ first: at(0), last: at(600), rangeMs: MINUTE_MS });
    expect(grid(0, 3600, 300)).toMatchObject({ rangeMs: 300_000, last: at(3600) });
    expect(grid(0, 3600, 300).times).toHaveLength(13);
    // A step shorter than a minute still looks back a minute (a rate needs two samples).
    expect(grid(0, 60, 30).rangeMs).toBe(MINUTE_MS);
    // The last point is the last whole step before the end.
    expect(grid(0, 599, 60)).toMatchObject({ last: at(540) });
    expect(grid(0, 3, 1.5).times).toEqual([at(0), at(1.5), at(3)]);
  });

  it('has a single point when the window is empty', () => {
    expect(grid(120, 120, 60)).toEqual({ times: [at(120)], first: at(120), last: at(120), rangeMs: MINUTE_MS });
  });

  it('refuses reversed or invalid windows, steps under a second and more than 11 000 points', () => {
    expect(() => grid(60, 0, 60)).toThrow(RangeError);
    expect(() => pointGrid({ window: { start: new Date(Number.NaN), end: new Date(at(60)) }, stepSeconds: 60 })).toThrow(RangeError);
    expect(() => grid(0, 60, 0)).toThrow(/at least 1 second/);
    expect(() => grid(0, 60, 0.5)).toThrow(/at least 1 second/);
    expect(() => grid(0, 60, Number.NaN)).toThrow(/at least 1 second/);
    expect(() => grid(0, 11_000, 1)).toThrow(/11001 points/);
    expect(grid(0, 10_999, 1).times).toHaveLength(11_000);
  });
});

describe('metric math: samples in a range', () => {
  it('takes the last sample in (T − range, T]', () => {
    const gauge = samples([
      [0, 1],
      [30, 2],
      [60, 3],
    ]);
    expect(lastInRange([], at(60), MINUTE_MS)).toBeUndefined();
    expect(lastInRange(gauge, at(60), MINUTE_MS)?.v).toBe(3);
    expect(lastInRange(gauge, at(59), MINUTE_MS)?.v).toBe(2);
    // The range is open at its start: a sample exactly a range before T is out.
    expect(lastInRange(gauge, at(120), MINUTE_MS)).toBeUndefined();
    expect(lastInRange(gauge, at(119), MINUTE_MS)?.v).toBe(3);
  });

  it("counts a cumulative counter's increase from consecutive samples, the first pair reaching back before the range", () => {
    expect(increaseInRange([], at(60), MINUTE_MS)).toBeUndefined();
    expect(increaseInRange(samples([[30, 5]]), at(60), MINUTE_MS)).toBeUndefined();
    const counter = samples([
      [0, 10],
      [30, 40],
    ]);
    expect(increaseInRange(counter, at(60), MINUTE_MS)).toEqual({ increase: 30, spanMs: 30_000 });
  });

  it('treats a drop, or a start time after the previous sample, as a counter reset', () => {
    const dropped = samples([
      [0, 100],
      [30, 5],
    ]);
    expect(increaseInRange(dropped, at(60), MINUTE_MS)).toEqual({ increase: 5, spanMs: 30_000 });
    const restarted: Sample[] = [
      { t: at(0), start: at(-100), v: 10, delta: false },
      { t: at(30), start: at(20), v: 12, delta: false },
    ];
    expect(increaseInRange(restarted, at(60), MINUTE_MS)).toEqual({ increase: 12, spanMs: 30_000 });
  });

  it('ignores a previous sample more than range + 10 minutes back', () => {
    const stale = samples([
      [0, 10],
      [700, 20],
    ]);
    expect(increaseInRange(stale, at(700), MINUTE_MS)).toBeUndefined();
    const justInTime = samples([
      [0, 10],
      [650, 20],
    ]);
    expect(increaseInRange(justInTime, at(650), MINUTE_MS)).toEqual({ increase: 10, spanMs: 650_000 });
  });

  it('adds delta samples over their own start time, else since the previous sample; negative deltas count as 0', () => {
    expect(increaseInRange([delta(30, 6, 0)], at(60), MINUTE_MS)).toEqual({ increase: 6, spanMs: 30_000 });
    expect(increaseInRange([delta(30, -3, 0)], at(60), MINUTE_MS)).toEqual({ increase: 0, spanMs: 30_000 });
    expect(increaseInRange([delta(0, 1, null), delta(30, 4, null)], at(60), MINUTE_MS)).toEqual({ increase: 4, spanMs: 30_000 });
    // A start time not before the sample is no start time.
    expect(increaseInRange([delta(0, 1, null), delta(30, 4, 30)], at(60), MINUTE_MS)).toEqual({ increase: 4, spanMs: 30_000 });
    expect(increaseInRange([delta(30, 4, null)], at(60), MINUTE_MS)).toBeUndefined();
  });
});

describe('metric math: summed series', () => {
  it('sums per-second rates over series, leaving out points no series has a rate for', () => {
    expect(sumOfRates([], grid(0, 600, 60))).toEqual([]);
    expect(sumOfRates([series([[30, 5]])], grid(0, 600, 60))).toEqual([]);
    const points = sumOfRates([steadyCounter(1, 0, 600), steadyCounter(1, 0, 600, { pod: 'b' })], grid(0, 600, 60));
    // At T = 0 there is one sample per series and no pair yet.
    expect(points[0]?.timestamp).toBe(iso(60));
    expect(points).toHaveLength(10);
    expect(points.every((point) => point.value === 2)).toBe(true);
  });

  it('keeps rates through a counter reset non-negative', () => {
    // 1/s, restarted at 40 s: 0, 15, 30, then 5 and 20.
    const restarted = series([
      [0, 0],
      [15, 15],
      [30, 30],
      [45, 5],
      [60, 20],
    ]);
    const [point] = sumOfRates([restarted], grid(60, 60, 60));
    expect(point?.timestamp).toBe(iso(60));
    expect(point?.value).toBeCloseTo(50 / 60, 10);
  });

  it('sums the last gauge sample of each series, keeping a zero (a zero limit is a value, not a gap)', () => {
    expect(sumOfGauges([], grid(0, 120, 60))).toEqual([]);
    const podA = series([
      [0, 100],
      [30, 120],
    ]);
    const podB = series([[0, 50]]);
    expect(sumOfGauges([podA, podB], grid(0, 120, 60))).toEqual([
      { timestamp: iso(0), value: 150 },
      { timestamp: iso(60), value: 120 },
    ]);
    expect(sumOfGauges([series([[0, 0]])], grid(0, 0, 60))).toEqual([{ timestamp: iso(0), value: 0 }]);
    expect(sumOfGauges([series([[30, 7]])], grid(0, 60, 60))).toEqual([{ timestamp: iso(60), value: 7 }]);
  });
});

describe('metric math: histogram quantiles', () => {
  it('interpolates inside the bucket holding the rank and answers the highest finite bound for the +Inf bucket', () => {
    const buckets = [
      { upper: 0.1, count: 10 },
      { upper: 1, count: 20 },
      { upper: Infinity, count: 30 },
    ];
    expect(histogramQuantile(0, buckets)).toBe(0);
    expect(histogramQuantile(0.1, buckets)).toBeCloseTo(0.03, 10);
    expect(histogramQuantile(1 / 3, buckets)).toBeCloseTo(0.1, 10);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.55, 10);
    expect(histogramQuantile(0.9, buckets)).toBe(1);
    expect(histogramQuantile(1, buckets)).toBe(1);
  });

  it('has no answer without observations, without a +Inf bucket, or for a quantile outside [0, 1]', () => {
    const buckets = [
      { upper: 1, count: 4 },
      { upper: Infinity, count: 4 },
    ];
    expect(histogramQuantile(0.5, [])).toBeUndefined();
    expect(histogramQuantile(0.5, [{ upper: Infinity, count: 4 }])).toBeUndefined();
    expect(
      histogramQuantile(0.5, [
        { upper: 1, count: 4 },
        { upper: 2, count: 4 },
      ]),
    ).toBeUndefined();
    expect(
      histogramQuantile(0.5, [
        { upper: 1, count: 0 },
        { upper: Infinity, count: 0 },
      ]),
    ).toBeUndefined();
    expect(histogramQuantile(-0.1, buckets)).toBeUndefined();
    expect(histogramQuantile(1.1, buckets)).toBeUndefined();
  });

  it('repairs counts that fall with a higher bound, and answers the bound of an empty first bucket at q = 0', () => {
    const uneven = [
      { upper: 0.1, count: 10 },
      { upper: 1, count: 5 },
      { upper: Infinity, count: 20 },
    ];
    expect(histogramQuantile(0.5, uneven)).toBeCloseTo(0.1, 10);
    const emptyFirst = [
      { upper: 0.1, count: 0 },
      { upper: 1, count: 10 },
      { upper: Infinity, count: 10 },
    ];
    expect(histogramQuantile(0, emptyFirst)).toBe(0.1);
  });

  it('reads bucket bounds from le labels', () => {
    expect(parseBound('+Inf')).toBe(Infinity);
    expect(parseBound('inf')).toBe(Infinity);
    expect(parseBound('0.25')).toBe(0.25);
    expect(parseBound('1e-3')).toBe(0.001);
    expect(parseBound('')).toBeUndefined();
    expect(parseBound('  ')).toBeUndefined();
    expect(parseBound('fast')).toBeUndefined();
  });

  it('turns bucket counters into percentile series in ms, summing series per bound and skipping unreadable bounds', () => {
    const bucket = (le: string, perMinute: number, pod = 'a') =>
      series(
        [
          [0, 0],
          [60, perMinute],
        ],
        { le, pod },
      );
    const buckets = [
      bucket('0.1', 6),
      bucket('0.1', 4, 'b'),
      bucket('1', 12),
      bucket('1', 8, 'b'),
      bucket('+Inf', 18),
      bucket('+Inf', 12, 'b'),
      bucket('not-a-bound', 1_000_000),
    ];
    const [p25, p50, p99] = quantileSeries(buckets, grid(60, 60, 60), [0.25, 0.5, 0.99]);
    expect(p25).toHaveLength(1);
    expect(p25?.[0]?.timestamp).toBe(iso(60));
    expect(p25?.[0]?.value).toBeCloseTo(75, 10);
    expect(p50?.[0]?.value).toBeCloseTo(550, 10);
    expect(p99).toEqual([{ timestamp: iso(60), value: 1000 }]);
  });

  it('has empty percentile series without buckets, without a +Inf bucket, or without increases', () => {
    expect(quantileSeries([], grid(0, 120, 60), [0.5, 0.9])).toEqual([[], []]);
    const finiteOnly = [
      series(
        [
          [0, 0],
          [60, 5],
        ],
        { le: '0.1' },
      ),
      series(
        [
          [0, 0],
          [60, 9],
        ],
        { le: '1' },
      ),
    ];
    expect(quantileSeries(finiteOnly, grid(60, 60, 60), [0.5])).toEqual([[]]);
    const flat = [
      series(
        [
          [0, 3],
          [60, 3],
        ],
        { le: '0.1' },
      ),
      series(
        [
          [0, 3],
          [60, 3],
        ],
        { le: '+Inf' },
      ),
    ];
    expect(quantileSeries(flat, grid(60, 60, 60), [0.5])).toEqual([[]]);
  });
});
