import { OTEL_RESOURCE, WORKFLOW_LABELS } from '../../../../../shared/telemetry/conventions.js';
import type { LogRecordInput } from '../store/telemetry-store.js';
import { anyValueToJs, attributes, MISSING_NAMESPACE, resourceInfo } from './attribute-mapping.js';
import { logLevelOf } from './log-level.js';
import { list, nanosToMicros, text, type Obj } from './message-fields.js';
import type { Rejections } from './rejections.js';

/**
 * ExportLogsServiceRequest → log lines. A record (or its resource) carrying `openchoreo.dev/workflow-run`
 * (and `openchoreo.dev/workflow-task`) is a workflow log line; `k8s.pod.name` / `k8s.container.name` give
 * the pod and container; a record without a time gets the observed time, else the time received.
 */
export function convertLogs(
  message: Obj,
  rejections: Rejections,
  defaultNamespace: string | undefined,
  countItems: (n: number) => void,
): LogRecordInput[] {
  const groups = list(message, 'resourceLogs').map((rl) => ({
    rl,
    records: list(rl, 'scopeLogs').flatMap((sl) => list(sl, 'logRecords')),
  }));
  countItems(groups.reduce((n, g) => n + g.records.length, 0));
  const out: LogRecordInput[] = [];
  const receivedUs = Date.now() * 1000;
  for (const { rl, records } of groups) {
    const resource = resourceInfo(rl, defaultNamespace);
    if (!resource.scope) {
      if (records.length > 0) rejections.reject(MISSING_NAMESPACE, records.length);
      continue;
    }
    for (const record of records) {
      const attrs = attributes(record);
      const body = anyValueToJs(record.body);
      const messageText = typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body);
      const line: LogRecordInput = {
        timeUs: nanosToMicros(record.timeUnixNano) ?? nanosToMicros(record.observedTimeUnixNano) ?? receivedUs,
        level: logLevelOf(record.severityNumber, record.severityText, messageText),
        message: messageText,
        scope: resource.scope,
      };
      const pick = (key: string) => text(attrs[key]) ?? text(resource.attributes[key]);
      const runName = pick(WORKFLOW_LABELS.run);
      const task = pick(WORKFLOW_LABELS.task);
      const pod = pick(OTEL_RESOURCE.k8sPodName);
      const container = pick(OTEL_RESOURCE.k8sContainerName);
      if (runName) line.runName = runName;
      if (task) line.task = task;
      if (pod) line.pod = pod;
      if (container) line.container = container;
      out.push(line);
    }
  }
  return out;
}
