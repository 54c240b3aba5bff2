import type { LogLevel, SpanStatus, TelemetryScope } from '../../telemetry-backend.js';

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
