import type { OpenSearchBackend } from './opensearch/index.js';
import { remoteWrite, type RemoteWriteSeries } from './prometheus/remote-write.js';
import type { PodSample, TelemetryWriter } from './telemetry-writer.js';

/**
 * Writes telemetry the way the production pipeline would leave it: log and span documents in
 * OpenSearch's daily indices, and kube-state-metrics / cAdvisor / Hubble-shaped series in Prometheus
 * (pushed by remote write, standing in for the scrape).
 */
export function createOpenSearchPrometheusWriter(opensearch: OpenSearchBackend, prometheusUrl: string): TelemetryWriter {
  let templates: Promise<void> | undefined;
  const ready = () => (templates ??= opensearch.ensureIndexTemplates());
  return {
    writeLogs: async (lines) => void (lines.length && (await ready(), await opensearch.indexLogLines(lines, { refresh: true }))),
    writeSpans: async (spans) => void (spans.length && (await ready(), await opensearch.indexSpans(spans, { refresh: true }))),
    writePodSamples: async (samples) => void (samples.length && (await remoteWrite(prometheusUrl, samples.flatMap(podSeries)))),
  };
}

function podSeries(sample: PodSample): RemoteWriteSeries[] {
  const point = (value: number) => [{ timestamp: sample.time, value }];
  const pod = { namespace: sample.kubernetesNamespace, pod: sample.pod };
  const series: RemoteWriteSeries[] = [
    {
      labels: {
        __name__: 'kube_pod_labels',
        job: 'kube-state-metrics',
        ...pod,
        label_openchoreo_dev_namespace: sample.scope.namespace,
        label_openchoreo_dev_project: sample.scope.project,
        label_openchoreo_dev_component: sample.scope.component,
        label_openchoreo_dev_environment: sample.scope.environment,
      },
      samples: point(1),
    },
    { labels: { __name__: 'kube_pod_status_phase', job: 'kube-state-metrics', ...pod, phase: 'Running' }, samples: point(1) },
    { labels: { __name__: 'container_cpu_usage_seconds_total', ...pod, container: 'main' }, samples: point(sample.cpuSecondsTotal) },
    { labels: { __name__: 'container_memory_working_set_bytes', ...pod, container: 'main' }, samples: point(sample.memoryWorkingSetBytes) },
    {
      labels: { __name__: 'kube_pod_container_resource_requests', job: 'kube-state-metrics', ...pod, container: 'main', resource: 'cpu' },
      samples: point(sample.cpuRequestCores),
    },
    {
      labels: {
        __name__: 'kube_pod_container_resource_requests',
        job: 'kube-state-metrics',
        ...pod,
        container: 'main',
        resource: 'memory',
      },
      samples: point(sample.memoryRequestBytes),
    },
    {
      labels: { __name__: 'kube_pod_container_resource_limits', job: 'kube-state-metrics', ...pod, container: 'main', resource: 'cpu' },
      samples: point(sample.cpuLimitCores),
    },
    {
      labels: { __name__: 'kube_pod_container_resource_limits', job: 'kube-state-metrics', ...pod, container: 'main', resource: 'memory' },
      samples: point(sample.memoryLimitBytes),
    },
  ];
  if (sample.http) {
    const hubble = { reporter: 'server', destination_namespace: sample.kubernetesNamespace, destination_pod: sample.pod };
    for (const [status, count] of Object.entries(sample.http.requestsByStatus)) {
      series.push({ labels: { __name__: 'hubble_http_requests_total', ...hubble, status }, samples: point(count) });
    }
    let cumulative = 0;
    sample.http.bucketCounts.forEach((count, index) => {
      cumulative += count;
      const le = index < sample.http!.bounds.length ? String(sample.http!.bounds[index]) : '+Inf';
      series.push({ labels: { __name__: 'hubble_http_request_duration_seconds_bucket', ...hubble, le }, samples: point(cumulative) });
    });
    series.push({
      labels: { __name__: 'hubble_http_request_duration_seconds_sum', ...hubble },
      samples: point(sample.http.durationSumSeconds),
    });
    series.push({ labels: { __name__: 'hubble_http_request_duration_seconds_count', ...hubble }, samples: point(cumulative) });
  }
  return series;
}
