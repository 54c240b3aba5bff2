import type { TelemetryStore } from '../store/telemetry-store.js';
import type { IngestResult, OtlpSignal } from './codec.js';
import { OtlpHttpError } from './http-error.js';
import { convertLogs } from './log-converter.js';
import type { Obj } from './message-fields.js';
import { convertMetrics } from './metric-converter.js';
import { Rejections } from './rejections.js';
import { convertSpans } from './span-converter.js';

/** What the receiver writes to: the embedded store (or anything with the same ingest methods). */
export type OtlpSink = Pick<TelemetryStore, 'insertLogs' | 'insertSpans' | 'insertMetricSamples'>;

/** Converts a decoded request and stores what it can; more than `maxItems` items is refused (413) before anything is stored. */
export function ingest(
  store: OtlpSink,
  signal: OtlpSignal,
  message: Obj,
  maxItems: number,
  defaultNamespace: string | undefined,
): IngestResult {
  const rejections = new Rejections();
  const countItems = (count: number) => {
    if (count > maxItems) throw new OtlpHttpError(413, `the request holds ${count} items, more than ${maxItems}; send smaller batches`);
  };
  if (signal === 'logs') {
    const records = convertLogs(message, rejections, defaultNamespace, countItems);
    if (records.length > 0) store.insertLogs(records);
  } else if (signal === 'traces') {
    const spans = convertSpans(message, rejections, defaultNamespace, countItems);
    if (spans.length > 0) store.insertSpans(spans);
  } else {
    const samples = convertMetrics(message, rejections, defaultNamespace, countItems);
    if (samples.length > 0) store.insertMetricSamples(samples);
  }
  return { rejected: rejections.count, errorMessage: rejections.message };
}
