import { OTEL_RESOURCE } from '../../../../../shared/telemetry/conventions.js';
import type { SpanStatus } from '../../telemetry-backend.js';
import type { SpanInput } from '../store/telemetry-store.js';
import { attributes, MISSING_NAMESPACE, resourceInfo } from './attribute-mapping.js';
import { child, hexId, isEmptyId, list, nanosToMicros, text, type Obj } from './message-fields.js';
import type { Rejections } from './rejections.js';

const SPAN_KINDS = ['', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

function spanKind(value: unknown): string | undefined {
  if (typeof value === 'number') return SPAN_KINDS[value] || undefined;
  if (typeof value === 'string') {
    const name = value.replace(/^SPAN_KIND_/, '');
    return SPAN_KINDS.includes(name) && name !== '' ? name : undefined;
  }
  return undefined;
}

function spanStatus(status: Obj | undefined): SpanStatus {
  const code = status?.code;
  if (code === 2 || code === 'STATUS_CODE_ERROR') return 'error';
  if (code === 1 || code === 'STATUS_CODE_OK') return 'ok';
  return 'unset';
}

/**
 * ExportTraceServiceRequest → spans. `service.name` of the resource is the span's service; spans with
 * malformed ids or times are rejected one by one.
 */
export function convertSpans(
  message: Obj,
  rejections: Rejections,
  defaultNamespace: string | undefined,
  countItems: (n: number) => void,
): SpanInput[] {
  const groups = list(message, 'resourceSpans').map((rs) => ({ rs, spans: list(rs, 'scopeSpans').flatMap((ss) => list(ss, 'spans')) }));
  countItems(groups.reduce((n, g) => n + g.spans.length, 0));
  const out: SpanInput[] = [];
  for (const { rs, spans } of groups) {
    const resource = resourceInfo(rs, defaultNamespace);
    if (!resource.scope) {
      if (spans.length > 0) rejections.reject(MISSING_NAMESPACE, spans.length);
      continue;
    }
    const service = text(resource.attributes[OTEL_RESOURCE.serviceName]);
    for (const span of spans) {
      const traceId = hexId(span.traceId, 16);
      const spanId = hexId(span.spanId, 8);
      const parentSpanId = isEmptyId(span.parentSpanId) ? undefined : hexId(span.parentSpanId, 8);
      if (!traceId || !spanId || (!isEmptyId(span.parentSpanId) && !parentSpanId)) {
        rejections.reject('span with an invalid traceId, spanId or parentSpanId (hex, 16/8 bytes, not all zero)');
        continue;
      }
      const startUs = nanosToMicros(span.startTimeUnixNano);
      const endUs = nanosToMicros(span.endTimeUnixNano);
      if (startUs === undefined || endUs === undefined) {
        rejections.reject('span without a valid startTimeUnixNano and endTimeUnixNano');
        continue;
      }
      const status = child(span, 'status');
      const input: SpanInput = {
        traceId,
        spanId,
        name: typeof span.name === 'string' ? span.name : '',
        startUs,
        endUs: Math.max(startUs, endUs),
        status: spanStatus(status),
        scope: resource.scope,
        attributes: attributes(span),
        resource: resource.attributes,
      };
      if (parentSpanId) input.parentSpanId = parentSpanId;
      const kind = spanKind(span.kind);
      if (kind) input.kind = kind;
      if (service) input.service = service;
      const statusMessage = text(status?.message);
      if (statusMessage) input.statusMessage = statusMessage;
      out.push(input);
    }
  }
  return out;
}
