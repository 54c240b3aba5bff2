import type Database from 'better-sqlite3';

/** The store's fixed statements, prepared once per database (queries with optional filters are built per call). */
export type StoreStatements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: Database.Database) {
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
