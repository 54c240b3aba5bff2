/**
 * The embedded telemetry store: one SQLite file (`<dataDir>/observability.sqlite`, WAL, busy timeout)
 * holding log lines, workflow log lines, spans and metric samples, fed by the OTLP/HTTP receiver
 * (`otlp-receiver.ts`) and answering the observability tools through `LogBackend`, `TraceBackend` and
 * `MetricsBackend`.
 *
 * Every query is built from fixed SQL text; values (scope names, search text, times, limits) are always
 * bound parameters, never spliced into SQL.
 *
 * Times: log and span times are integer epoch **microseconds** (OTLP sends nanoseconds, but epoch
 * nanoseconds exceed 2^53 and would lose precision as JS numbers); metric samples use epoch
 * milliseconds. Returned timestamps are RFC 3339 strings with millisecond precision.
 *
 * Semantics (chosen consciously, see the reference §8.4):
 * - Windows are half-open: logs `start <= t < end`; spans must lie inside: `start <= startTime` and
 *   `endTime <= end`.
 * - Levels are stored per line (from OTLP severity, else parsed from the text); the level filter matches
 *   the stored level, not a substring of the message.
 * - Search is a case-insensitive literal substring (`instr(lower())` for ASCII needles, a JS
 *   `toLowerCase` function for others, since SQLite's `lower` folds ASCII only).
 * - Workflow logs (lines carrying `openchoreo.dev/workflow-run`) live in their own table: they are not
 *   component logs; workflow queries honour `task`, levels and search.
 * - Traces: a trace is listed when at least one of its spans matches the scope and lies in the window
 *   and its root span (no parent, any scope) lies in the window. Counts, duration, error spans and
 *   services are computed over the matching (in-scope) spans only; the name and root service are the
 *   root span's when it is in scope, else the earliest in-scope span's (so a component-scoped query
 *   lists the traces passing through the component without revealing other components' spans).
 * - Metrics: points at `start + i·step` (i ≥ 0, ≤ end). A point at T covers the samples in
 *   `(T − range, T]`, `range = max(step, 60 s)`: gauges take the last sample per series, summed over
 *   series; counters are turned into a per-second rate per series (consecutive-sample increases, resets
 *   handled, delta temporality supported), summed over series. Latency percentiles come from histogram
 *   buckets (`…_bucket{le}` increases, Prometheus `histogram_quantile` interpolation), in ms.
 */
import type Database from 'better-sqlite3';
import { openSqliteDatabase } from '../../../../shared/audit/sqlite-audit-store.js';
import type {
  ComponentLogQuery,
  HttpMetrics,
  LogBackend,
  LogLevel,
  LogLine,
  LogPage,
  MetricPoint,
  MetricsBackend,
  MetricsQuery,
  ResourceMetrics,
  Span,
  SpanDetails,
  SpanStatus,
  TelemetryBackend,
  TelemetryScope,
  TimeWindow,
  TraceBackend,
  TracePage,
  TraceQuery,
  TraceSummary,
  WorkflowLogQuery,
} from '../telemetry-backend.js';

/** Metric names, shared with the Prometheus adapter so one set of emitted metrics serves either backend. */
export const METRIC_NAMES = {
  cpuUsageSeconds: 'container_cpu_usage_seconds_total',
  memoryWorkingSet: 'container_memory_working_set_bytes',
  resourceRequests: 'kube_pod_container_resource_requests',
  resourceLimits: 'kube_pod_container_resource_limits',
  httpRequests: 'hubble_http_requests_total',
  httpDuration: 'hubble_http_request_duration_seconds',
  httpDurationBucket: 'hubble_http_request_duration_seconds_bucket',
} as const;

export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** A log line as stored (the receiver produces these; tests and benchmarks may insert them directly). */
export interface LogRecordInput {
  /** Epoch microseconds. */
  timeUs: number;
  level: LogLevel;
  message: string;
  scope: TelemetryScope;
  pod?: string;
  container?: string;
  /** Set for workflow (build) logs: such lines go to the workflow-log table. */
  runName?: string;
  task?: string;
}

export interface SpanInput {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: string;
  service?: string;
  /** Epoch microseconds. */
  startUs: number;
  endUs: number;
  status: SpanStatus;
  statusMessage?: string;
  scope: TelemetryScope;
  attributes?: Record<string, unknown>;
  resource?: Record<string, unknown>;
}

/** gauge: a value at a time; cumulative: a monotonic counter's running total; delta: the increase since `startMs`. */
export type SampleTemporality = 'gauge' | 'cumulative' | 'delta';

export interface MetricSampleInput {
  name: string;
  scope: TelemetryScope;
  /** Data point attributes (e.g. `resource`, `status`, `le`, `container`). */
  labels?: Record<string, string>;
  /** Resource attributes other than the scope (pod, instance …): part of the series identity. */
  resource?: Record<string, string>;
  /** Epoch milliseconds. */
  timeMs: number;
  startMs?: number;
  value: number;
  temporality: SampleTemporality;
}

export interface TelemetryStoreOptions {
  /** Data older than this is deleted. Default 24. */
  retentionHours?: number;
  /** How often retention runs (ms); 0 disables the timer (call `applyRetention` yourself). Default 60 000. */
  sweepIntervalMs?: number;
  /** Log totals are counted up to this many matches, then reported as a lower bound. Default 10 000. */
  countCap?: number;
}

export interface RetentionResult {
  logs: number;
  workflowLogs: number;
  spans: number;
  samples: number;
  series: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY,
    ts_us INTEGER NOT NULL,
    namespace TEXT NOT NULL,
    project TEXT,
    component TEXT,
    environment TEXT,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    pod TEXT,
    container TEXT
  );
  CREATE INDEX IF NOT EXISTS logs_scope_ts ON logs (namespace, project, component, environment, ts_us);
  CREATE INDEX IF NOT EXISTS logs_project_env_ts ON logs (namespace, project, environment, ts_us);
  CREATE INDEX IF NOT EXISTS logs_namespace_ts ON logs (namespace, ts_us);
  CREATE INDEX IF NOT EXISTS logs_ts ON logs (ts_us);

  CREATE TABLE IF NOT EXISTS workflow_logs (
    id INTEGER PRIMARY KEY,
    ts_us INTEGER NOT NULL,
    namespace TEXT NOT NULL,
    project TEXT,
    component TEXT,
    environment TEXT,
    run_name TEXT NOT NULL,
    task TEXT,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    pod TEXT,
    container TEXT
  );
  CREATE INDEX IF NOT EXISTS workflow_logs_run_ts ON workflow_logs (namespace, run_name, ts_us);
  CREATE INDEX IF NOT EXISTS workflow_logs_namespace_ts ON workflow_logs (namespace, ts_us);
  CREATE INDEX IF NOT EXISTS workflow_logs_ts ON workflow_logs (ts_us);

  CREATE TABLE IF NOT EXISTS spans (
    id INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    name TEXT NOT NULL,
    kind TEXT,
    service TEXT,
    start_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_message TEXT,
    namespace TEXT NOT NULL,
    project TEXT,
    component TEXT,
    environment TEXT,
    attributes TEXT,
    resource TEXT
  );
  CREATE UNIQUE INDEX IF NOT EXISTS spans_trace_span ON spans (trace_id, span_id);
  CREATE INDEX IF NOT EXISTS spans_scope_start ON spans (namespace, project, component, environment, start_us);
  CREATE INDEX IF NOT EXISTS spans_namespace_start ON spans (namespace, start_us);
  CREATE INDEX IF NOT EXISTS spans_start ON spans (start_us);

  CREATE TABLE IF NOT EXISTS metric_series (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    namespace TEXT NOT NULL,
    project TEXT,
    component TEXT,
    environment TEXT,
    labels TEXT NOT NULL,
    resource TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS metric_series_scope ON metric_series (name, namespace, project, component, environment);

  CREATE TABLE IF NOT EXISTS metric_samples (
    series_id INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL,
    start_ms INTEGER,
    value REAL NOT NULL,
    temporality INTEGER NOT NULL,
    PRIMARY KEY (series_id, ts_ms)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS metric_samples_ts ON metric_samples (ts_ms);
`;

const TEMPORALITY_CODE: Record<SampleTemporality, number> = { gauge: 0, delta: 1, cumulative: 2 };
const DELTA = 1;

const DEFAULT_COUNT_CAP = 10_000;
const MAX_LIMIT = 10_000;
const MAX_POINTS = 11_000;
const MIN_RANGE_MS = 60_000;
/** How far before a point's range a counter's previous sample may lie and still count. */
const PREVIOUS_SAMPLE_LOOKBACK_MS = 10 * 60_000;
const RETENTION_BATCH = 10_000;
const SERIES_CACHE_MAX = 100_000;

interface LogRow {
  ts_us: number;
  namespace: string;
  project: string | null;
  component: string | null;
  environment: string | null;
  level: string;
  message: string;
  pod: string | null;
  container: string | null;
  run_name?: string | null;
  task?: string | null;
}

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string | null;
  service: string | null;
  start_us: number;
  end_us: number;
  status: string;
  status_message: string | null;
  namespace: string;
  project: string | null;
  component: string | null;
  environment: string | null;
  attributes?: string | null;
  resource?: string | null;
}

interface TraceRow {
  trace_id: string;
  start_us: number;
  end_us: number;
  span_count: number;
  error_count: number;
  services: string;
  total: number;
}

interface SampleRow {
  series_id: number;
  labels: string;
  ts_ms: number;
  start_ms: number | null;
  value: number;
  temporality: number;
}

interface Sample {
  t: number;
  start: number | null;
  v: number;
  delta: boolean;
}

interface Series {
  labels: Record<string, string>;
  samples: Sample[];
}

type Params = Record<string, string | number | null>;

/** Epoch µs of a Date. */
export const toMicros = (date: Date): number => date.getTime() * 1000;
const isoFromMicros = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

export class TelemetryStore implements LogBackend, TraceBackend, MetricsBackend {
  readonly retentionMs: number;
  private readonly db: Database.Database;
  private readonly countCap: number;
  private readonly seriesIds = new Map<string, number>();
  private readonly statements: ReturnType<typeof prepare>;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `file` is the database file (its directory is created) or `:memory:`. */
  constructor(
    readonly file: string,
    options: TelemetryStoreOptions = {},
  ) {
    const retentionHours = options.retentionHours ?? 24;
    if (!(retentionHours > 0)) throw new RangeError('retentionHours must be > 0');
    this.retentionMs = retentionHours * 3_600_000;
    this.countCap = Math.max(1, Math.floor(options.countCap ?? DEFAULT_COUNT_CAP));
    this.db = openSqliteDatabase(file);
    try {
      this.db.exec(SCHEMA);
      // Bounded ANALYZE work for PRAGMA optimize, so a sweep never scans a whole large table.
      this.db.pragma('analysis_limit = 1000');
      // SQLite's lower() folds ASCII only; non-ASCII search needles use JavaScript's case mapping.
      this.db.function('plane_icontains', { deterministic: true }, (haystack: unknown, needle: unknown) =>
        typeof haystack === 'string' && typeof needle === 'string' && haystack.toLowerCase().includes(needle) ? 1 : 0,
      );
      this.statements = prepare(this.db);
      this.optimize();
    } catch (error) {
      this.db.close();
      throw error;
    }
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (sweepIntervalMs > 0) {
      this.timer = setInterval(() => {
        try {
          this.applyRetention();
        } catch {
          // Retention is retried at the next tick; a busy database must not crash the server.
        }
      }, sweepIntervalMs);
      this.timer.unref();
    }
  }

  // ---------------------------------------------------------------- ingest

  /** Inserts log lines in one transaction; lines with a `runName` go to the workflow-log table. */
  insertLogs(records: readonly LogRecordInput[]): void {
    this.transaction(() => {
      for (const r of records) {
        const scope = scopeParams(r.scope);
        if (r.runName) {
          this.statements.insertWorkflowLog.run({
            ...scope,
            ts: Math.trunc(r.timeUs),
            run: r.runName,
            task: r.task ?? null,
            level: r.level,
            message: r.message,
            pod: r.pod ?? null,
            container: r.container ?? null,
          });
        } else {
          this.statements.insertLog.run({
            ...scope,
            ts: Math.trunc(r.timeUs),
            level: r.level,
            message: r.message,
            pod: r.pod ?? null,
            container: r.container ?? null,
          });
        }
      }
    });
  }

  /** Inserts spans in one transaction; a span sent again (same trace and span id) replaces the stored one. */
  insertSpans(spans: readonly SpanInput[]): void {
    this.transaction(() => {
      for (const s of spans) {
        this.statements.insertSpan.run({
          ...scopeParams(s.scope),
          traceId: s.traceId.toLowerCase(),
          spanId: s.spanId.toLowerCase(),
          parent: s.parentSpanId ? s.parentSpanId.toLowerCase() : null,
          name: s.name,
          kind: s.kind ?? null,
          service: s.service ?? null,
          start: Math.trunc(s.startUs),
          end: Math.trunc(Math.max(s.endUs, s.startUs)),
          status: s.status,
          statusMessage: s.statusMessage || null,
          attributes: s.attributes && Object.keys(s.attributes).length > 0 ? JSON.stringify(s.attributes) : null,
          resource: s.resource && Object.keys(s.resource).length > 0 ? JSON.stringify(s.resource) : null,
        });
      }
    });
  }

  /** Inserts metric samples in one transaction; a sample for the same series and time replaces the stored one. */
  insertMetricSamples(samples: readonly MetricSampleInput[]): void {
    this.transaction(() => {
      for (const s of samples) {
        if (!Number.isFinite(s.value)) continue;
        const seriesId = this.seriesId(s);
        this.statements.insertSample.run({
          series: seriesId,
          ts: Math.trunc(s.timeMs),
          start: s.startMs !== undefined && s.startMs > 0 ? Math.trunc(s.startMs) : null,
          value: s.value,
          temporality: TEMPORALITY_CODE[s.temporality],
        });
      }
    });
  }

  private seriesId(sample: MetricSampleInput): number {
    const labels = sortedRecord(sample.labels);
    const resource = sortedRecord(sample.resource);
    const { namespace, project, component, environment } = sample.scope;
    const key = JSON.stringify([sample.name, namespace, project ?? null, component ?? null, environment ?? null, resource, labels]);
    const cached = this.seriesIds.get(key);
    if (cached !== undefined) return cached;
    this.statements.insertSeries.run({
      ...scopeParams(sample.scope),
      key,
      name: sample.name,
      labels: JSON.stringify(labels),
      resource: JSON.stringify(resource),
    });
    const row = this.statements.seriesByKey.get(key) as { id: number };
    if (this.seriesIds.size >= SERIES_CACHE_MAX) this.seriesIds.clear();
    this.seriesIds.set(key, row.id);
    return row.id;
  }

  private transaction(work: () => void): void {
    this.db.transaction(work)();
  }

  // ---------------------------------------------------------------- retention

  /** Deletes everything older than the retention age (relative to `nowMs`), in batches. */
  applyRetention(nowMs: number = Date.now()): RetentionResult {
    const cutoffMs = Math.floor(nowMs - this.retentionMs);
    const cutoffUs = cutoffMs * 1000;
    const drain = (statement: Database.Statement): number => {
      let total = 0;
      for (;;) {
        const { changes } = statement.run({ cutoffUs, cutoffMs, batch: RETENTION_BATCH });
        total += changes;
        if (changes < RETENTION_BATCH) return total;
      }
    };
    const result: RetentionResult = {
      logs: drain(this.statements.expireLogs),
      workflowLogs: drain(this.statements.expireWorkflowLogs),
      spans: drain(this.statements.expireSpans),
      samples: drain(this.statements.expireSamples),
      series: 0,
    };
    if (result.samples > 0) {
      result.series = this.statements.expireSeries.run().changes;
      if (result.series > 0) this.seriesIds.clear();
    }
    this.optimize();
    return result;
  }

  /**
   * Refreshes the query planner's statistics where they are stale (`PRAGMA optimize`, all tables): with
   * several indexes per table the planner needs them to pick the scope index. Runs at start-up and after
   * every retention sweep; cheap when nothing changed.
   */
  optimize(): void {
    this.db.pragma('optimize=0x10002');
  }

  // ---------------------------------------------------------------- logs

  async queryComponentLogs(query: ComponentLogQuery): Promise<LogPage> {
    const filter = componentLogFilter(query);
    return this.logPage('logs', filter, query.limit, query.sort, '');
  }

  async queryWorkflowLogs(query: WorkflowLogQuery): Promise<LogPage> {
    const params: Params = { namespace: query.namespace };
    const clauses = ['namespace = @namespace'];
    if (query.runName !== undefined) (clauses.push('run_name = @runName'), (params.runName = query.runName));
    if (query.task !== undefined) (clauses.push('task = @task'), (params.task = query.task));
    addWindow(clauses, params, query.window, 'ts_us');
    addLevels(clauses, params, query.levels);
    addSearch(clauses, params, query.search);
    return this.logPage('workflow_logs', { where: clauses.join(' AND '), params }, query.limit, query.sort, ', run_name, task');
  }

  async countComponentLogs(query: Omit<ComponentLogQuery, 'limit' | 'sort'>): Promise<number> {
    const { where, params } = componentLogFilter(query);
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM logs WHERE ${where}`).get(params) as { n: number };
    return row.n;
  }

  private logPage(
    table: 'logs' | 'workflow_logs',
    filter: { where: string; params: Params },
    limit: number,
    sort: 'asc' | 'desc',
    extra: string,
  ): LogPage {
    const size = clampLimit(limit);
    const order = sort === 'asc' ? 'ASC' : 'DESC';
    const rows =
      size === 0
        ? []
        : (this.db
            .prepare(
              `SELECT ts_us, namespace, project, component, environment, level, message, pod, container${extra} FROM ${table} ` +
                `WHERE ${filter.where} ORDER BY ts_us ${order}, id ${order} LIMIT @limit`,
            )
            .all({ ...filter.params, limit: size }) as LogRow[]);
    const lines = rows.map(toLogLine);
    if (lines.length < size) return { lines, total: lines.length, totalExact: true };
    const counted = this.db
      .prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${table} WHERE ${filter.where} LIMIT @cap)`)
      .get({ ...filter.params, cap: this.countCap + 1 }) as { n: number };
    return counted.n > this.countCap ? { lines, total: this.countCap, totalExact: false } : { lines, total: counted.n, totalExact: true };
  }

  // ---------------------------------------------------------------- traces

  async queryTraces(query: TraceQuery): Promise<TracePage> {
    const size = clampLimit(query.limit);
    const params: Params = { start: toMicros(query.window.start), end: toMicros(query.window.end), limit: size };
    const clauses = scopeClauses(query.scope, params);
    clauses.push('start_us >= @start', 'end_us <= @end');
    const having: string[] = [];
    if (query.errorsOnly) having.push('error_count > 0');
    if (query.minDurationMs !== undefined && query.minDurationMs > 0) {
      having.push('MAX(end_us) - MIN(start_us) >= @minDurationUs');
      params.minDurationUs = Math.ceil(query.minDurationMs * 1000);
    }
    const order = query.sort === 'asc' ? 'ASC' : 'DESC';
    const sql = `WITH matched AS (
         SELECT trace_id, MIN(start_us) AS start_us, MAX(end_us) AS end_us, COUNT(*) AS span_count,
                SUM(status = 'error') AS error_count, json_group_array(DISTINCT service) AS services
         FROM spans WHERE ${clauses.join(' AND ')}
         GROUP BY trace_id ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
       )
       SELECT m.*, COUNT(*) OVER () AS total FROM matched m
       WHERE EXISTS (SELECT 1 FROM spans r WHERE r.trace_id = m.trace_id AND r.parent_span_id IS NULL
                     AND r.start_us >= @start AND r.end_us <= @end)
       ORDER BY m.start_us ${order}, m.trace_id ${order} LIMIT @limit`;
    // LIMIT at least 1 so that a zero limit still reports the total.
    const rows = this.db.prepare(sql).all({ ...params, limit: Math.max(size, 1) }) as TraceRow[];
    const entryParams: Params = { start: params.start ?? null, end: params.end ?? null };
    const entryClauses = scopeClauses(query.scope, entryParams);
    const entry = this.db.prepare(
      `SELECT name, service FROM spans WHERE trace_id = @traceId AND ${entryClauses.join(' AND ')} AND start_us >= @start AND end_us <= @end
       ORDER BY (parent_span_id IS NULL) DESC, start_us ASC, span_id ASC LIMIT 1`,
    );
    const traces = rows.slice(0, size).map((row): TraceSummary => {
      const first = entry.get({ ...entryParams, traceId: row.trace_id }) as { name: string; service: string | null } | undefined;
      const services = (JSON.parse(row.services) as (string | null)[]).filter((s): s is string => typeof s === 'string').sort();
      const summary: TraceSummary = {
        traceId: row.trace_id,
        name: first?.name ?? '',
        startTime: isoFromMicros(row.start_us),
        endTime: isoFromMicros(row.end_us),
        durationMs: (row.end_us - row.start_us) / 1000,
        spanCount: row.span_count,
        errorSpanCount: row.error_count,
        services,
      };
      if (first?.service) summary.rootService = first.service;
      return summary;
    });
    return { traces, total: rows[0]?.total ?? 0, totalExact: true };
  }

  async traceSpans(query: {
    traceId: string;
    scope: TelemetryScope;
    window?: TimeWindow;
    limit: number;
  }): Promise<{ spans: Span[]; total: number }> {
    const params: Params = { traceId: query.traceId.toLowerCase(), limit: clampLimit(query.limit) };
    const clauses = ['trace_id = @traceId', ...scopeClauses(query.scope, params)];
    if (query.window) {
      clauses.push('start_us >= @start', 'end_us <= @end');
      params.start = toMicros(query.window.start);
      params.end = toMicros(query.window.end);
    }
    const where = clauses.join(' AND ');
    const rows = this.db
      .prepare(
        `SELECT trace_id, span_id, parent_span_id, name, kind, service, start_us, end_us, status, status_message, namespace, project, component, environment
         FROM spans WHERE ${where} ORDER BY start_us ASC, span_id ASC LIMIT @limit`,
      )
      .all(params) as SpanRow[];
    const spans = rows.map(toSpan);
    const total =
      rows.length < (params.limit as number)
        ? rows.length
        : (this.db.prepare(`SELECT COUNT(*) AS n FROM spans WHERE ${where}`).get(params) as { n: number }).n;
    return { spans, total };
  }

  async getSpan(traceId: string, spanId: string): Promise<SpanDetails | undefined> {
    const row = this.statements.getSpan.get({ traceId: traceId.toLowerCase(), spanId: spanId.toLowerCase() }) as SpanRow | undefined;
    if (!row) return undefined;
    return { ...toSpan(row), attributes: parseObject(row.attributes), resource: parseObject(row.resource) };
  }

  // ---------------------------------------------------------------- metrics

  async resourceMetrics(query: MetricsQuery): Promise<ResourceMetrics> {
    const grid = pointGrid(query);
    const load = (name: string, keep: (labels: Record<string, string>) => boolean) =>
      this.loadSeries(name, query.scope, grid).filter((s) => keep(s.labels));
    const containers = (labels: Record<string, string>) => labels.container !== '';
    const resource = (value: string) => (labels: Record<string, string>) => labels.resource === value;
    return {
      cpuUsage: sumOfRates(load(METRIC_NAMES.cpuUsageSeconds, containers), grid),
      cpuRequests: sumOfGauges(load(METRIC_NAMES.resourceRequests, resource('cpu')), grid),
      cpuLimits: sumOfGauges(load(METRIC_NAMES.resourceLimits, resource('cpu')), grid),
      memoryUsage: sumOfGauges(load(METRIC_NAMES.memoryWorkingSet, containers), grid),
      memoryRequests: sumOfGauges(load(METRIC_NAMES.resourceRequests, resource('memory')), grid),
      memoryLimits: sumOfGauges(load(METRIC_NAMES.resourceLimits, resource('memory')), grid),
    };
  }

  async httpMetrics(query: MetricsQuery): Promise<HttpMetrics> {
    const grid = pointGrid(query);
    // Like the Prometheus adapter: the server side's view of each request (reporter="server" when labelled).
    const server = (labels: Record<string, string>) => labels.reporter === undefined || labels.reporter === 'server';
    const requests = this.loadSeries(METRIC_NAMES.httpRequests, query.scope, grid).filter((s) => server(s.labels));
    const failed = requests.filter((s) => /^[45]/.test(s.labels.status ?? ''));
    const requestRate = sumOfRates(requests, grid);
    const failedRate = new Map(sumOfRates(failed, grid).map((p) => [p.timestamp, p.value]));
    const errorRate = requestRate
      .filter((p) => p.value > 0)
      .map((p) => ({ timestamp: p.timestamp, value: (failedRate.get(p.timestamp) ?? 0) / p.value }));
    const buckets = this.loadSeries(METRIC_NAMES.httpDurationBucket, query.scope, grid).filter(
      (s) => server(s.labels) && s.labels.le !== undefined,
    );
    const quantiles = quantileSeries(buckets, grid, [0.5, 0.9, 0.99]);
    return { requestRate, errorRate, latencyP50Ms: quantiles[0] ?? [], latencyP90Ms: quantiles[1] ?? [], latencyP99Ms: quantiles[2] ?? [] };
  }

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
      if (!entry) series.set(row.series_id, (entry = { labels: JSON.parse(row.labels) as Record<string, string>, samples: [] }));
      entry.samples.push({ t: row.ts_ms, start: row.start_ms, v: row.value, delta: row.temporality === DELTA });
    }
    return [...series.values()];
  }

  // ---------------------------------------------------------------- lifecycle

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return (this.statements.ping.get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }
}

function prepare(db: Database.Database) {
  return {
    insertLog: db.prepare(
      `INSERT INTO logs (ts_us, namespace, project, component, environment, level, message, pod, container)
       VALUES (@ts, @namespace, @project, @component, @environment, @level, @message, @pod, @container)`,
    ),
    insertWorkflowLog: db.prepare(
      `INSERT INTO workflow_logs (ts_us, namespace, project, component, environment, run_name, task, level, message, pod, container)
       VALUES (@ts, @namespace, @project, @component, @environment, @run, @task, @level, @message, @pod, @container)`,
    ),
    insertSpan: db.prepare(
      `INSERT OR REPLACE INTO spans (trace_id, span_id, parent_span_id, name, kind, service, start_us, end_us, status, status_message,
                                     namespace, project, component, environment, attributes, resource)
       VALUES (@traceId, @spanId, @parent, @name, @kind, @service, @start, @end, @status, @statusMessage,
               @namespace, @project, @component, @environment, @attributes, @resource)`,
    ),
    insertSeries: db.prepare(
      `INSERT OR IGNORE INTO metric_series (key, name, namespace, project, component, environment, labels, resource)
       VALUES (@key, @name, @namespace, @project, @component, @environment, @labels, @resource)`,
    ),
    seriesByKey: db.prepare('SELECT id FROM metric_series WHERE key = ?'),
    insertSample: db.prepare(
      `INSERT OR REPLACE INTO metric_samples (series_id, ts_ms, start_ms, value, temporality) VALUES (@series, @ts, @start, @value, @temporality)`,
    ),
    getSpan: db.prepare(
      `SELECT trace_id, span_id, parent_span_id, name, kind, service, start_us, end_us, status, status_message,
              namespace, project, component, environment, attributes, resource
       FROM spans WHERE trace_id = @traceId AND span_id = @spanId`,
    ),
    expireLogs: db.prepare('DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE ts_us < @cutoffUs LIMIT @batch)'),
    expireWorkflowLogs: db.prepare(
      'DELETE FROM workflow_logs WHERE id IN (SELECT id FROM workflow_logs WHERE ts_us < @cutoffUs LIMIT @batch)',
    ),
    expireSpans: db.prepare('DELETE FROM spans WHERE id IN (SELECT id FROM spans WHERE start_us < @cutoffUs LIMIT @batch)'),
    expireSamples: db.prepare(
      'DELETE FROM metric_samples WHERE (series_id, ts_ms) IN (SELECT series_id, ts_ms FROM metric_samples WHERE ts_ms < @cutoffMs LIMIT @batch)',
    ),
    expireSeries: db.prepare(
      'DELETE FROM metric_series WHERE NOT EXISTS (SELECT 1 FROM metric_samples s WHERE s.series_id = metric_series.id)',
    ),
    ping: db.prepare('SELECT 1 AS ok'),
  };
}

// ---------------------------------------------------------------- SQL helpers (fixed text, bound values)

function scopeParams(scope: TelemetryScope): Params {
  return {
    namespace: scope.namespace,
    project: scope.project ?? null,
    component: scope.component ?? null,
    environment: scope.environment ?? null,
  };
}

function scopeClauses(scope: TelemetryScope, params: Params, prefix = ''): string[] {
  const clauses = [`${prefix}namespace = @namespace`];
  params.namespace = scope.namespace;
  for (const field of ['project', 'component', 'environment'] as const) {
    const value = scope[field];
    if (value !== undefined) {
      clauses.push(`${prefix}${field} = @${field}`);
      params[field] = value;
    }
  }
  return clauses;
}

function addWindow(clauses: string[], params: Params, window: TimeWindow, column: string): void {
  clauses.push(`${column} >= @start`, `${column} < @end`);
  params.start = toMicros(window.start);
  params.end = toMicros(window.end);
}

function addLevels(clauses: string[], params: Params, levels: readonly LogLevel[] | undefined): void {
  const wanted = [...new Set(levels ?? [])].filter((level) => LOG_LEVELS.includes(level));
  if ((levels ?? []).length === 0) return;
  if (wanted.length === 0) {
    clauses.push('0');
    return;
  }
  clauses.push(`level IN (${wanted.map((_, i) => `@level${i}`).join(', ')})`);
  wanted.forEach((level, i) => (params[`level${i}`] = level));
}

function addSearch(clauses: string[], params: Params, search: string | undefined): void {
  if (search === undefined || search === '') return;
  const needle = search.toLowerCase();
  // eslint-disable-next-line no-control-regex
  clauses.push(/^[\x00-\x7f]*$/.test(needle) ? 'instr(lower(message), @search) > 0' : 'plane_icontains(message, @search)');
  params.search = needle;
}

function componentLogFilter(query: Omit<ComponentLogQuery, 'limit' | 'sort'>): { where: string; params: Params } {
  const params: Params = {};
  const clauses = scopeClauses(query.scope, params);
  addWindow(clauses, params, query.window, 'ts_us');
  addLevels(clauses, params, query.levels);
  addSearch(clauses, params, query.search);
  return { where: clauses.join(' AND '), params };
}

function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.min(MAX_LIMIT, Math.max(0, Math.floor(limit))) : 0;
}

function sortedRecord(record: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record ?? {}).sort()) {
    Object.defineProperty(out, key, { value: String(record?.[key]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseObject(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function rowScope(row: {
  namespace: string;
  project: string | null;
  component: string | null;
  environment: string | null;
}): TelemetryScope {
  const scope: TelemetryScope = { namespace: row.namespace };
  if (row.project !== null) scope.project = row.project;
  if (row.component !== null) scope.component = row.component;
  if (row.environment !== null) scope.environment = row.environment;
  return scope;
}

function toLogLine(row: LogRow): LogLine {
  const line: LogLine = { timestamp: isoFromMicros(row.ts_us), level: row.level as LogLevel, message: row.message, ...rowScope(row) };
  if (row.run_name) line.runName = row.run_name;
  if (row.task) line.task = row.task;
  if (row.pod) line.pod = row.pod;
  if (row.container) line.container = row.container;
  return line;
}

function toSpan(row: SpanRow): Span {
  const span: Span = {
    traceId: row.trace_id,
    spanId: row.span_id,
    name: row.name,
    startTime: isoFromMicros(row.start_us),
    endTime: isoFromMicros(row.end_us),
    durationMs: (row.end_us - row.start_us) / 1000,
    status: row.status === 'error' || row.status === 'ok' ? row.status : 'unset',
    scope: rowScope(row),
  };
  if (row.parent_span_id) span.parentSpanId = row.parent_span_id;
  if (row.kind) span.kind = row.kind;
  if (row.service) span.service = row.service;
  if (row.status_message) span.statusMessage = row.status_message;
  return span;
}

// ---------------------------------------------------------------- metric evaluation

interface PointGrid {
  /** Point times (epoch ms). */
  times: number[];
  first: number;
  last: number;
  rangeMs: number;
}

function pointGrid(query: MetricsQuery): PointGrid {
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
function lastInRange(samples: readonly Sample[], time: number, rangeMs: number): Sample | undefined {
  const after = firstAfter(samples, time);
  const last = samples[after - 1];
  return last && last.t > time - rangeMs ? last : undefined;
}

/** A counter's increase over (T − range, T] and the time it spans, from consecutive samples. */
function increaseInRange(samples: readonly Sample[], time: number, rangeMs: number): { increase: number; spanMs: number } | undefined {
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

function sumOfGauges(series: readonly Series[], grid: PointGrid): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const time of grid.times) {
    let sum = 0;
    let seen = false;
    for (const s of series) {
      const sample = lastInRange(s.samples, time, grid.rangeMs);
      if (sample) ((sum += sample.v), (seen = true));
    }
    if (seen) points.push({ timestamp: new Date(time).toISOString(), value: sum });
  }
  return points;
}

function sumOfRates(series: readonly Series[], grid: PointGrid): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const time of grid.times) {
    let sum = 0;
    let seen = false;
    for (const s of series) {
      const window = increaseInRange(s.samples, time, grid.rangeMs);
      if (window) ((sum += (window.increase * 1000) / window.spanMs), (seen = true));
    }
    if (seen) points.push({ timestamp: new Date(time).toISOString(), value: sum });
  }
  return points;
}

/** Percentile series (ms) from cumulative `_bucket{le}` counters, summed over series per `le`. */
function quantileSeries(buckets: readonly Series[], grid: PointGrid, quantiles: readonly number[]): MetricPoint[][] {
  const out: MetricPoint[][] = quantiles.map(() => []);
  for (const time of grid.times) {
    const byBound = new Map<number, number>();
    for (const s of buckets) {
      const bound = parseBound(s.labels.le ?? '');
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

function parseBound(le: string): number | undefined {
  if (le === '+Inf' || le === 'Inf' || le === 'inf' || le === '+inf') return Infinity;
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

/** The embedded backend: all three signals from one SQLite store, plus the store itself for the OTLP receiver. */
export interface EmbeddedTelemetryBackend extends TelemetryBackend {
  readonly name: 'embedded';
  readonly store: TelemetryStore;
}

/** `file`: `<dataDir>/observability.sqlite` or `:memory:`. */
export function createEmbeddedBackend(options: {
  file: string;
  retentionHours?: number;
  sweepIntervalMs?: number;
  countCap?: number;
}): EmbeddedTelemetryBackend {
  const store = new TelemetryStore(options.file, options);
  return {
    name: 'embedded',
    store,
    logs: store,
    traces: store,
    metrics: store,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
