import {
  HISTOGRAM_SUFFIXES,
  KUBE_STATE_METRICS_PLATFORM_LABELS,
  METRIC_LABEL_VALUES,
  METRIC_LABELS,
  METRICS,
} from '../../../shared/telemetry/conventions.js';
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

const label = METRIC_LABELS;

function podSeries(sample: PodSample): RemoteWriteSeries[] {
  const point = (value: number) => [{ timestamp: sample.time, value }];
  const pod = { [label.namespace]: sample.kubernetesNamespace, [label.pod]: sample.pod };
  const kubeStateMetrics = { [label.job]: METRIC_LABEL_VALUES.kubeStateMetricsJob, ...pod };
  const allocation = (name: string, resource: string, value: number): RemoteWriteSeries => ({
    labels: { [label.name]: name, ...kubeStateMetrics, [label.container]: 'main', [label.resource]: resource },
    samples: point(value),
  });
  const { cpu, memory } = METRIC_LABEL_VALUES;
  const series: RemoteWriteSeries[] = [
    {
      labels: {
        [label.name]: METRICS.podLabels,
        ...kubeStateMetrics,
        [KUBE_STATE_METRICS_PLATFORM_LABELS.namespace]: sample.scope.namespace,
        [KUBE_STATE_METRICS_PLATFORM_LABELS.project]: sample.scope.project,
        [KUBE_STATE_METRICS_PLATFORM_LABELS.component]: sample.scope.component,
        [KUBE_STATE_METRICS_PLATFORM_LABELS.environment]: sample.scope.environment,
      },
      samples: point(1),
    },
    {
      labels: { [label.name]: METRICS.podStatusPhase, ...kubeStateMetrics, [label.phase]: METRIC_LABEL_VALUES.running },
      samples: point(1),
    },
    { labels: { [label.name]: METRICS.cpuUsageSecondsTotal, ...pod, [label.container]: 'main' }, samples: point(sample.cpuSecondsTotal) },
    {
      labels: { [label.name]: METRICS.memoryWorkingSetBytes, ...pod, [label.container]: 'main' },
      samples: point(sample.memoryWorkingSetBytes),
    },
    allocation(METRICS.resourceRequests, cpu, sample.cpuRequestCores),
    allocation(METRICS.resourceRequests, memory, sample.memoryRequestBytes),
    allocation(METRICS.resourceLimits, cpu, sample.cpuLimitCores),
    allocation(METRICS.resourceLimits, memory, sample.memoryLimitBytes),
  ];
  if (sample.http) {
    const hubble = {
      [label.reporter]: METRIC_LABEL_VALUES.serverReporter,
      [label.destinationNamespace]: sample.kubernetesNamespace,
      [label.destinationPod]: sample.pod,
    };
    const duration = METRICS.httpRequestDurationSeconds;
    for (const [status, count] of Object.entries(sample.http.requestsByStatus)) {
      series.push({ labels: { [label.name]: METRICS.httpRequestsTotal, ...hubble, [label.status]: status }, samples: point(count) });
    }
    let cumulative = 0;
    sample.http.bucketCounts.forEach((count, index) => {
      cumulative += count;
      const le = index < sample.http!.bounds.length ? String(sample.http!.bounds[index]) : METRIC_LABEL_VALUES.infiniteBound;
      series.push({
        labels: { [label.name]: `${duration}${HISTOGRAM_SUFFIXES.bucket}`, ...hubble, [label.le]: le },
        samples: point(cumulative),
      });
    });
    series.push({
      labels: { [label.name]: `${duration}${HISTOGRAM_SUFFIXES.sum}`, ...hubble },
      samples: point(sample.http.durationSumSeconds),
    });
    series.push({ labels: { [label.name]: `${duration}${HISTOGRAM_SUFFIXES.count}`, ...hubble }, samples: point(cumulative) });
  }
  return series;
}
