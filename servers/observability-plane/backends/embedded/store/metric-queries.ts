import type Database from 'better-sqlite3';
import { HISTOGRAM_SUFFIXES, METRIC_LABEL_VALUES, METRIC_LABELS, METRICS } from '../../../../../shared/telemetry/conventions.js';
import type { HttpMetrics, MetricsQuery, ResourceMetrics, TelemetryScope } from '../../telemetry-backend.js';
import { scopeClauses, type Params } from './filters.js';
import {
  pointGrid,
  PREVIOUS_SAMPLE_LOOKBACK_MS,
  quantileSeries,
  sumOfGauges,
  sumOfRates,
  type PointGrid,
  type Series,
} from './metric-math.js';
import { TEMPORALITY_CODE } from './schema.js';

interface SampleRow {
  series_id: number;
  labels: string;
  ts_ms: number;
  start_ms: number | null;
  value: number;
  temporality: number;
}

type Labels = Record<string, string>;

/**
 * The metric tools' series from the stored samples, the same metrics (and the same server-side view of
 * HTTP traffic) the Prometheus adapter queries. Latency percentiles are in ms.
 */
export class MetricQueries {
  constructor(private readonly db: Database.Database) {}

  resourceMetrics(query: MetricsQuery): ResourceMetrics {
    const grid = pointGrid(query);
    const load = (name: string, keep: (labels: Labels) => boolean) =>
      this.loadSeries(name, query.scope, grid).filter((s) => keep(s.labels));
    const containers = (labels: Labels) => labels[METRIC_LABELS.container] !== '';
    const resource = (value: string) => (labels: Labels) => labels[METRIC_LABELS.resource] === value;
    const { cpu, memory } = METRIC_LABEL_VALUES;
    return {
      cpuUsage: sumOfRates(load(METRICS.cpuUsageSecondsTotal, containers), grid),
      cpuRequests: sumOfGauges(load(METRICS.resourceRequests, resource(cpu)), grid),
      cpuLimits: sumOfGauges(load(METRICS.resourceLimits, resource(cpu)), grid),
      memoryUsage: sumOfGauges(load(METRICS.memoryWorkingSetBytes, containers), grid),
      memoryRequests: sumOfGauges(load(METRICS.resourceRequests, resource(memory)), grid),
      memoryLimits: sumOfGauges(load(METRICS.resourceLimits, resource(memory)), grid),
    };
  }

  httpMetrics(query: MetricsQuery): HttpMetrics {
    const grid = pointGrid(query);
    // Like the Prometheus adapter: the server side's view of each request (reporter="server" when labelled).
    const server = (labels: Labels) => {
      const reporter = labels[METRIC_LABELS.reporter];
      return reporter === undefined || reporter === METRIC_LABEL_VALUES.serverReporter;
    };
    const requests = this.loadSeries(METRICS.httpRequestsTotal, query.scope, grid).filter((s) => server(s.labels));
    const failed = requests.filter((s) => /^[45]/.test(s.labels[METRIC_LABELS.status] ?? ''));
    const requestRate = sumOfRates(requests, grid);
    const failedRate = new Map(sumOfRates(failed, grid).map((p) => [p.timestamp, p.value]));
    const errorRate = requestRate
      .filter((p) => p.value > 0)
      .map((p) => ({ timestamp: p.timestamp, value: (failedRate.get(p.timestamp) ?? 0) / p.value }));
    const buckets = this.loadSeries(`${METRICS.httpRequestDurationSeconds}${HISTOGRAM_SUFFIXES.bucket}`, query.scope, grid).filter(
      (s) => server(s.labels) && s.labels[METRIC_LABELS.le] !== undefined,
    );
    const quantiles = quantileSeries(buckets, grid, [0.5, 0.9, 0.99]);
    return { requestRate, errorRate, latencyP50Ms: quantiles[0] ?? [], latencyP90Ms: quantiles[1] ?? [], latencyP99Ms: quantiles[2] ?? [] };
  }

  /** The series of one metric in scope, with the samples the grid's points (and their counters' previous samples) need. */
  private loadSeries(name: string, scope: TelemetryScope, grid: PointGrid): Series[] {
    const params: Params = { name, from: grid.first - grid.rangeMs - PREVIOUS_SAMPLE_LOOKBACK_MS, to: grid.last };
    const clauses = ['m.name = @name', ...scopeClauses(scope, params, 'm.')];
    const rows = this.db
      .prepare(
        `SELECT s.series_id, m.labels, s.ts_ms, s.start_ms, s.value, s.temporality FROM metric_series m
         JOIN metric_samples s ON s.series_id = m.id AND s.ts_ms > @from AND s.ts_ms <= @to
         WHERE ${clauses.join(' AND ')} ORDER BY s.series_id, s.ts_ms`,
      )
      .all(params) as SampleRow[];
    const series = new Map<number, Series>();
    for (const row of rows) {
      let entry = series.get(row.series_id);
      if (!entry) series.set(row.series_id, (entry = { labels: JSON.parse(row.labels) as Labels, samples: [] }));
      entry.samples.push({ t: row.ts_ms, start: row.start_ms, v: row.value, delta: row.temporality === TEMPORALITY_CODE.delta });
    }
    return [...series.values()];
  }
}
