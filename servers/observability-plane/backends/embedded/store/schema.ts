import type { SampleTemporality } from './records.js';

/**
 * The store's tables. Log and span times are epoch microseconds, metric sample times epoch
 * milliseconds. A metric series is one (name, scope, resource, labels) combination; its samples are
 * keyed by (series, time).
 */
export const SCHEMA = `
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

/** `metric_samples.temporality`. */
export const TEMPORALITY_CODE: Record<SampleTemporality, number> = { gauge: 0, delta: 1, cumulative: 2 };
