/**
 * The telemetry vocabulary, written once: the keys that carry the platform scope, the OpenTelemetry
 * semantic-convention keys we read and write, and the Kubernetes metric and label names (cAdvisor,
 * kube-state-metrics, Hubble) both metric backends query and both writers emit. Writers and readers
 * import these instead of retyping the strings, so they cannot drift apart.
 */

/**
 * OpenChoreo's platform labels. The same keys are Kubernetes labels on pods and workflow runs, and
 * OTLP resource attributes (the embedded receiver files data by them).
 */
export const PLATFORM_LABELS = {
  namespace: 'openchoreo.dev/namespace',
  project: 'openchoreo.dev/project',
  component: 'openchoreo.dev/component',
  environment: 'openchoreo.dev/environment',
} as const;

/** Log attributes (or labels) marking a workflow (build) log line and its task. */
export const WORKFLOW_LABELS = {
  run: 'openchoreo.dev/workflow-run',
  task: 'openchoreo.dev/workflow-task',
} as const;

/**
 * A label key as Fluent Bit writes it with `Replace_Dots On` (`openchoreo.dev/namespace` →
 * `openchoreo_dev/namespace`).
 */
export function fluentBitLabelKey(key: string): string {
  return key.replaceAll('.', '_');
}

/** OpenTelemetry semantic-convention resource attributes. */
export const OTEL_RESOURCE = {
  serviceName: 'service.name',
  serviceNamespace: 'service.namespace',
  serviceVersion: 'service.version',
  k8sPodName: 'k8s.pod.name',
  k8sContainerName: 'k8s.container.name',
  k8sNamespaceName: 'k8s.namespace.name',
} as const;

/** Metric names: cAdvisor, kube-state-metrics and Hubble, as OpenChoreo's dashboards query them. */
export const METRICS = {
  /** kube-state-metrics: one series per pod carrying its labels (`label_<sanitised key>`). */
  podLabels: 'kube_pod_labels',
  podStatusPhase: 'kube_pod_status_phase',
  resourceRequests: 'kube_pod_container_resource_requests',
  resourceLimits: 'kube_pod_container_resource_limits',
  /** cAdvisor. */
  cpuUsageSecondsTotal: 'container_cpu_usage_seconds_total',
  memoryWorkingSetBytes: 'container_memory_working_set_bytes',
  /** Hubble L7 HTTP metrics. */
  httpRequestsTotal: 'hubble_http_requests_total',
  /** Histogram base name (`_bucket`, `_count`, `_sum` series). */
  httpRequestDurationSeconds: 'hubble_http_request_duration_seconds',
} as const;

/** The series a histogram `<name>` is exposed as, in Prometheus' naming. */
export const HISTOGRAM_SUFFIXES = { bucket: '_bucket', count: '_count', sum: '_sum' } as const;

/** Label names on those series. */
export const METRIC_LABELS = {
  /** Prometheus' metric-name label. */
  name: '__name__',
  job: 'job',
  pod: 'pod',
  namespace: 'namespace',
  container: 'container',
  /** kube_pod_container_resource_requests/limits: `cpu` or `memory`. */
  resource: 'resource',
  /** kube_pod_status_phase. */
  phase: 'phase',
  /** Hubble. */
  destinationPod: 'destination_pod',
  destinationNamespace: 'destination_namespace',
  reporter: 'reporter',
  status: 'status',
  /** A histogram bucket's upper bound. */
  le: 'le',
} as const;

/**
 * kube-state-metrics' spelling of the platform pod labels on `kube_pod_labels`
 * (`openchoreo.dev/namespace` → `label_openchoreo_dev_namespace`).
 */
export const KUBE_STATE_METRICS_PLATFORM_LABELS = {
  namespace: 'label_openchoreo_dev_namespace',
  project: 'label_openchoreo_dev_project',
  component: 'label_openchoreo_dev_component',
  environment: 'label_openchoreo_dev_environment',
} as const;

/** Label values the queries match on. */
export const METRIC_LABEL_VALUES = {
  cpu: 'cpu',
  memory: 'memory',
  running: 'Running',
  /** Hubble's view from the destination pod, i.e. the component answering. */
  serverReporter: 'server',
  kubeStateMetricsJob: 'kube-state-metrics',
  /** A histogram's overflow bucket. */
  infiniteBound: '+Inf',
} as const;
