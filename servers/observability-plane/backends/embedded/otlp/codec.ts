/**
 * The OTLP/HTTP wire formats: Export*ServiceRequest messages decoded from `application/x-protobuf`
 * (protobufjs over the official OTLP `.proto` files in `../proto/`, opentelemetry-proto v1.11.0) or
 * `application/json` (OTLP JSON: lowerCamelCase keys, trace/span ids as hex, enums as integers, 64-bit
 * integers as strings or numbers), and the Export*ServiceResponse and `google.rpc.Status` answers
 * encoded the way the request was.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { OtlpHttpError } from './http-error.js';

export type OtlpSignal = 'logs' | 'traces' | 'metrics';
export type Encoding = 'json' | 'protobuf';

const SIGNALS: Record<OtlpSignal, { request: string; response: string; rejected: string }> = {
  logs: {
    request: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
    response: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
    rejected: 'rejectedLogRecords',
  },
  traces: {
    request: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    response: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
    rejected: 'rejectedSpans',
  },
  metrics: {
    request: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
    response: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
    rejected: 'rejectedDataPoints',
  },
};

/** The directory holding `opentelemetry/proto/**.proto`. */
export const OTLP_PROTO_DIR = fileURLToPath(new URL('../proto/', import.meta.url));
export const OTLP_PROTO_FILES = [
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
];

let protoRoot: protobuf.Root | undefined;
/** The OTLP protobuf definitions (loaded once). */
export function otlpProtoRoot(): protobuf.Root {
  if (!protoRoot) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => OTLP_PROTO_DIR + target;
    root.loadSync(OTLP_PROTO_FILES);
    root.resolveAll();
    protoRoot = root;
  }
  return protoRoot;
}

/** The encoding a `Content-Type` names; undefined for anything else. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** The request message as a plain object (protobuf: longs as decimal strings, enums as numbers, bytes as Uint8Array). */
export function decodeRequest(root: protobuf.Root, signal: OtlpSignal, encoding: Encoding, body: Buffer): Record<string, unknown> {
  if (encoding === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new OtlpHttpError(400, 'request body is not valid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new OtlpHttpError(400, 'request body must be a JSON object');
    return value as Record<string, unknown>;
  }
  const type = root.lookupType(SIGNALS[signal].request);
  try {
    // longs as decimal strings and enums as numbers: the same shapes OTLP JSON uses; bytes stay Uint8Array.
    return type.toObject(type.decode(body), { longs: String, enums: Number, defaults: false }) as Record<string, unknown>;
  } catch {
    throw new OtlpHttpError(400, 'request body is not a valid protobuf message');
  }
}

/** What an accepted request reports back: how many items were rejected and why. */
export interface IngestResult {
  rejected: number;
  errorMessage: string;
}

/** The Export*ServiceResponse (with `partialSuccess` when something was rejected), in the request's encoding. */
export function encodeResponse(root: protobuf.Root, signal: OtlpSignal, encoding: Encoding, result: IngestResult): Uint8Array | object {
  const partial =
    result.rejected > 0 || result.errorMessage !== ''
      ? { partialSuccess: { [SIGNALS[signal].rejected]: result.rejected, errorMessage: result.errorMessage } }
      : {};
  if (encoding === 'protobuf') {
    const type = root.lookupType(SIGNALS[signal].response);
    return type.encode(type.fromObject(partial)).finish();
  }
  // Protobuf JSON mapping: int64 as a decimal string.
  return 'partialSuccess' in partial
    ? { partialSuccess: { [SIGNALS[signal].rejected]: String(result.rejected), errorMessage: result.errorMessage } }
    : {};
}

// google.rpc.Status, the body of every OTLP/HTTP error response.
const statusType = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(statusType);
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 404: 12, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

/** The `google.rpc.Status` for an HTTP error status, in the given encoding. */
export function encodeStatus(encoding: Encoding, httpStatus: number, message: string): Uint8Array | { code: number; message: string } {
  const code = GRPC_CODE[httpStatus] ?? 2;
  return encoding === 'protobuf' ? statusType.encode(statusType.create({ code, message })).finish() : { code, message };
}
