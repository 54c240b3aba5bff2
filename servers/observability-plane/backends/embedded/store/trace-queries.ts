import type Database from 'better-sqlite3';
import type { Span, SpanDetails, TelemetryScope, TimeWindow, TracePage, TraceQuery, TraceSummary } from '../../telemetry-backend.js';
import { clampLimit, isoFromMicros, rowScope, scopeClauses, toMicros, type Params } from './filters.js';
import type { StoreStatements } from './statements.js';

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

/**
 * Trace queries over the `spans` table. A trace is listed when at least one of its spans matches the
 * scope and lies in the window and its root span (no parent, any scope) lies in the window; counts,
 * duration, error spans and services are over the in-scope spans only; the name and root service are
 * the root span's when it is in scope, else the earliest in-scope span's.
 */
export class TraceQueries {
  constructor(
    private readonly db: Database.Database,
    private readonly statements: StoreStatements,
  ) {}

  traces(query: TraceQuery): TracePage {
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

  traceSpans(query: { traceId: string; scope: TelemetryScope; window?: TimeWindow; limit: number }): { spans: Span[]; total: number } {
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

  span(traceId: string, spanId: string): SpanDetails | undefined {
    const row = this.statements.getSpan.get({ traceId: traceId.toLowerCase(), spanId: spanId.toLowerCase() }) as SpanRow | undefined;
    if (!row) return undefined;
    return { ...toSpan(row), attributes: parseObject(row.attributes), resource: parseObject(row.resource) };
  }
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

function parseObject(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
