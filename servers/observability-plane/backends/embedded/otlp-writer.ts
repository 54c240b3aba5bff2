import type { PodSample, TelemetryWriter } from '../telemetry-writer.js';
import { logsRequest, metricsRequest, postOtlpJson, tracesRequest, type OtlpMetricSample, type OtlpPostResult } from './otlp-json.js';

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
    resource: { 'k8s.pod.name': sample.pod, 'k8s.namespace.name': sample.kubernetesNamespace, 'service.name': sample.scope.component },
  };
  const out: OtlpMetricSample[] = [
    {
      ...base,
      kind: 'counter',
      name: 'container_cpu_usage_seconds_total',
      value: sample.cpuSecondsTotal,
      attributes: { container: 'main' },
    },
    {
      ...base,
      kind: 'gauge',
      name: 'container_memory_working_set_bytes',
      value: sample.memoryWorkingSetBytes,
      attributes: { container: 'main' },
    },
    {
      ...base,
      kind: 'gauge',
      name: 'kube_pod_container_resource_requests',
      value: sample.cpuRequestCores,
      attributes: { resource: 'cpu' },
    },
    {
      ...base,
      kind: 'gauge',
      name: 'kube_pod_container_resource_requests',
      value: sample.memoryRequestBytes,
      attributes: { resource: 'memory' },
    },
    { ...base, kind: 'gauge', name: 'kube_pod_container_resource_limits', value: sample.cpuLimitCores, attributes: { resource: 'cpu' } },
    {
      ...base,
      kind: 'gauge',
      name: 'kube_pod_container_resource_limits',
      value: sample.memoryLimitBytes,
      attributes: { resource: 'memory' },
    },
  ];
  if (sample.http) {
    for (const [status, count] of Object.entries(sample.http.requestsByStatus)) {
      out.push({ ...base, kind: 'counter', name: 'hubble_http_requests_total', value: count, attributes: { status } });
    }
    out.push({
      ...base,
      kind: 'histogram',
      name: 'hubble_http_request_duration_seconds',
      bounds: sample.http.bounds,
      bucketCounts: sample.http.bucketCounts,
      sum: sample.http.durationSumSeconds,
    });
  }
  return out;
}
