import type Database from 'better-sqlite3';
import { scopeParams } from './filters.js';
import type { LogRecordInput, MetricSampleInput, SpanInput } from './records.js';
import { TEMPORALITY_CODE } from './schema.js';
import type { StoreStatements } from './statements.js';

const SERIES_CACHE_MAX = 100_000;

/** Writes batches in one transaction each, and remembers metric series ids (cleared when retention drops series). */
export class StoreWriter {
  private readonly seriesIds = new Map<string, number>();

  constructor(
    private readonly db: Database.Database,
    private readonly statements: StoreStatements,
  ) {}

  /** Inserts log lines; lines with a `runName` go to the workflow-log table. */
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

  /** Inserts spans; a span sent again (same trace and span id) replaces the stored one. */
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

  /** Inserts metric samples; a sample for the same series and time replaces the stored one. */
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

  /** Drops the cached series ids (after retention deleted series). */
  forgetSeries(): void {
    this.seriesIds.clear();
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
}

/** A copy with keys sorted (stable series identity), values as strings, own properties even for `__proto__`. */
function sortedRecord(record: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record ?? {}).sort()) {
    Object.defineProperty(out, key, { value: String(record?.[key]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
