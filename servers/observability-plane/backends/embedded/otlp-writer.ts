import { METRIC_LABEL_VALUES, METRIC_LABELS, METRICS, OTEL_RESOURCE } from '../../../../shared/telemetry/conventions.js';
import type { PodSample, TelemetryWriter } from '../telemetry-writer.js';
import { logsRequest, metricsRequest, postOtlpJson, tracesRequest, type OtlpMetricSample, type OtlpPostResult } from './otlp/otlp-json.js';

/** Writes telemetry the way any OpenTelemetry program would: OTLP/HTTP JSON to the embedded receiver. */
export function createOtlpWriter(baseUrl: string, token: string): TelemetryWriter {
  const post = async (signal: 'logs' | 'traces' | 'metrics', request: Parameters<typeof postOtlpJson>[2]) => {
    const result: OtlpPostResult = await postOtlpJson(baseUrl, signal, request, { token, gzip: true });
    if (result.status !== 200)
      throw new Error(`OTLP ${signal} export failed: HTTP ${result.status} ${JSON.stringify(result.body).slice(0, 300)}`);
  };
  return {
    writeLogs: async (lines) => void (lines.length && (await post('logs', logsRequest(lines)))),
    writeSpans: async (spans) => void (spans.length && (await post('traces', tracesRequest(spans)))),
    writePodSamples: async (samples) => void (samples.length && (await post('metrics', metricsRequest(samples.flatMap(podMetrics))))),
  };
}

function podMetrics(sample: PodSample): OtlpMetricSample[] {
  const base = {
    scope: sample.scope,
    time: sample.time,
    resource: {
      [OTEL_RESOURCE.k8sPodName]: sample.pod,
      [OTEL_RESOURCE.k8sNamespaceName]: sample.kubernetesNamespace,
      [OTEL_RESOURCE.serviceName]: sample.scope.component,
    },
  };
  const container = { [METRIC_LABELS.container]: 'main' };
  const resource = (value: string) => ({ [METRIC_LABELS.resource]: value });
  const { cpu, memory } = METRIC_LABEL_VALUES;
  const out: OtlpMetricSample[] = [
    { ...base, kind: 'counter', name: METRICS.cpuUsageSecondsTotal, value: sample.cpuSecondsTotal, attributes: container },
    { ...base, kind: 'gauge', name: METRICS.memoryWorkingSetBytes, value: sample.memoryWorkingSetBytes, attributes: container },
    { ...base, kind: 'gauge', name: METRICS.resourceRequests, value: sample.cpuRequestCores, attributes: resource(cpu) },
    { ...base, kind: 'gauge', name: METRICS.resourceRequests, value: sample.memoryRequestBytes, attributes: resource(memory) },
    { ...base, kind: 'gauge', name: METRICS.resourceLimits, value: sample.cpuLimitCores, attributes: resource(cpu) },
    { ...base, kind: 'gauge', name: METRICS.resourceLimits, value: sample.memoryLimitBytes, attributes: resource(memory) },
  ];
  if (sample.http) {
    for (const [status, count] of Object.entries(sample.http.requestsByStatus)) {
      out.push({ ...base, kind: 'counter', name: METRICS.httpRequestsTotal, value: count, attributes: { [METRIC_LABELS.status]: status } });
    }
    out.push({
      ...base,
      kind: 'histogram',
      name: METRICS.httpRequestDurationSeconds,
      bounds: sample.http.bounds,
      bucketCounts: sample.http.bucketCounts,
      sum: sample.http.durationSumSeconds,
    });
  }
  return out;
}
