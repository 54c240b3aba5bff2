/**
 * The embedded telemetry store: one SQLite file (`<dataDir>/observability.sqlite`, WAL, busy timeout)
 * holding log lines, workflow log lines, spans and metric samples, fed by the OTLP/HTTP receiver
 * (`../otlp/`) and answering the observability tools through `LogBackend`, `TraceBackend` and
 * `MetricsBackend`. This class wires the parts together: `schema.ts`, `statements.ts`, `ingest.ts`,
 * `log-queries.ts`, `trace-queries.ts`, `metric-queries.ts` (arithmetic in `metric-math.ts`) and
 * `retention.ts`.
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
 * - Traces: see `trace-queries.ts` (a component-scoped query lists the traces passing through the
 *   component without revealing other components' spans).
 * - Metrics: points at `start + i·step`, see `metric-math.ts`. Latency percentiles come from histogram
 *   buckets (`…_bucket{le}` increases, Prometheus `histogram_quantile` interpolation), in ms.
 */
import type Database from 'better-sqlite3';
import { openSqliteDatabase } from '../../../../../shared/sqlite/open-database.js';
import type {
  ComponentLogQuery,
  HttpMetrics,
  LogBackend,
  LogPage,
  MetricsBackend,
  MetricsQuery,
  ResourceMetrics,
  Span,
  SpanDetails,
  TelemetryScope,
  TimeWindow,
  TraceBackend,
  TracePage,
  TraceQuery,
  WorkflowLogQuery,
} from '../../telemetry-backend.js';
import { StoreWriter } from './ingest.js';
import { LogQueries } from './log-queries.js';
import { MetricQueries } from './metric-queries.js';
import type { LogRecordInput, MetricSampleInput, RetentionResult, SpanInput, TelemetryStoreOptions } from './records.js';
import { deleteOlderThan, optimizeStatistics } from './retention.js';
import { SCHEMA } from './schema.js';
import { prepareStatements, type StoreStatements } from './statements.js';
import { TraceQueries } from './trace-queries.js';

export type { LogRecordInput, MetricSampleInput, RetentionResult, SampleTemporality, SpanInput, TelemetryStoreOptions } from './records.js';

const DEFAULT_COUNT_CAP = 10_000;

export class TelemetryStore implements LogBackend, TraceBackend, MetricsBackend {
  readonly retentionMs: number;
  private readonly db: Database.Database;
  private readonly statements: StoreStatements;
  private readonly writer: StoreWriter;
  private readonly logs: LogQueries;
  private readonly traces: TraceQueries;
  private readonly metrics: MetricQueries;
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
    const countCap = Math.max(1, Math.floor(options.countCap ?? DEFAULT_COUNT_CAP));
    this.db = openSqliteDatabase(file);
    try {
      this.db.exec(SCHEMA);
      // Bounded ANALYZE work for PRAGMA optimize, so a sweep never scans a whole large table.
      this.db.pragma('analysis_limit = 1000');
      // SQLite's lower() folds ASCII only; non-ASCII search needles use JavaScript's case mapping.
      this.db.function('plane_icontains', { deterministic: true }, (haystack: unknown, needle: unknown) =>
        typeof haystack === 'string' && typeof needle === 'string' && haystack.toLowerCase().includes(needle) ? 1 : 0,
      );
      this.statements = prepareStatements(this.db);
      this.optimize();
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.writer = new StoreWriter(this.db, this.statements);
    this.logs = new LogQueries(this.db, countCap);
    this.traces = new TraceQueries(this.db, this.statements);
    this.metrics = new MetricQueries(this.db);
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

  /** Inserts log lines in one transaction; lines with a `runName` go to the workflow-log table. */
  insertLogs(records: readonly LogRecordInput[]): void {
    this.writer.insertLogs(records);
  }

  /** Inserts spans in one transaction; a span sent again (same trace and span id) replaces the stored one. */
  insertSpans(spans: readonly SpanInput[]): void {
    this.writer.insertSpans(spans);
  }

  /** Inserts metric samples in one transaction; a sample for the same series and time replaces the stored one. */
  insertMetricSamples(samples: readonly MetricSampleInput[]): void {
    this.writer.insertMetricSamples(samples);
  }

  /** Deletes everything older than the retention age (relative to `nowMs`), in batches. */
  applyRetention(nowMs: number = Date.now()): RetentionResult {
    const result = deleteOlderThan(this.statements, Math.floor(nowMs - this.retentionMs));
    if (result.series > 0) this.writer.forgetSeries();
    this.optimize();
    return result;
  }

  /** Refreshes stale query-planner statistics (`PRAGMA optimize`); runs at start-up and after every retention sweep. */
  optimize(): void {
    optimizeStatistics(this.db);
  }

  async queryComponentLogs(query: ComponentLogQuery): Promise<LogPage> {
    return this.logs.componentLogs(query);
  }

  async queryWorkflowLogs(query: WorkflowLogQuery): Promise<LogPage> {
    return this.logs.workflowLogs(query);
  }

  async countComponentLogs(query: Omit<ComponentLogQuery, 'limit' | 'sort'>): Promise<number> {
    return this.logs.countComponentLogs(query);
  }

  async queryTraces(query: TraceQuery): Promise<TracePage> {
    return this.traces.traces(query);
  }

  async traceSpans(query: {
    traceId: string;
    scope: TelemetryScope;
    window?: TimeWindow;
    limit: number;
  }): Promise<{ spans: Span[]; total: number }> {
    return this.traces.traceSpans(query);
  }

  async getSpan(traceId: string, spanId: string): Promise<SpanDetails | undefined> {
    return this.traces.span(traceId, spanId);
  }

  async resourceMetrics(query: MetricsQuery): Promise<ResourceMetrics> {
    return this.metrics.resourceMetrics(query);
  }

  async httpMetrics(query: MetricsQuery): Promise<HttpMetrics> {
    return this.metrics.httpMetrics(query);
  }

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
