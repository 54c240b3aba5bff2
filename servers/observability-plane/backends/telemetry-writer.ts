import type { LogLine, SpanDetails, TelemetryScope } from './telemetry-backend.js';

/** One pod's resource and HTTP state at one instant; counters are cumulative since the pod started. */
export interface PodSample {
  scope: Required<TelemetryScope>;
  pod: string;
  /** The Kubernetes namespace the pod runs in (the data plane's, not the platform namespace). */
  kubernetesNamespace: string;
  time: Date;
  cpuSecondsTotal: number;
  memoryWorkingSetBytes: number;
  cpuRequestCores: number;
  cpuLimitCores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
  http?: {
    /** Cumulative request counts by status code. */
    requestsByStatus: Record<string, number>;
    /** Histogram upper bounds in seconds, ascending, without +Inf. */
    bounds: number[];
    /** Cumulative counts per bucket (bounds.length + 1, the last for +Inf); not cumulative across buckets. */
    bucketCounts: number[];
    durationSumSeconds: number;
  };
}

/**
 * How telemetry gets into a backend: the demo data plane and the tests write through this, so what
 * they write is what the tools read, whichever backend is configured.
 */
export interface TelemetryWriter {
  writeLogs(lines: readonly LogLine[]): Promise<void>;
  writeSpans(spans: readonly SpanDetails[]): Promise<void>;
  writePodSamples(samples: readonly PodSample[]): Promise<void>;
}
