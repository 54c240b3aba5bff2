/**
 * OTLP/HTTP receiver for the embedded store: an Express router serving `POST /v1/logs`, `/v1/traces`
 * and `/v1/metrics` (mount it at the root of an app, or under a prefix, **before** any body parser:
 * it reads the request stream itself).
 *
 * Both encodings of the Export*ServiceRequest messages are accepted: `application/x-protobuf` (decoded
 * with protobufjs from the official OTLP `.proto` files in `./proto/`, opentelemetry-proto v1.11.0) and
 * `application/json` (OTLP JSON: lowerCamelCase keys, trace/span ids as hex, enums as integers, 64-bit
 * integers as strings or numbers); bodies may be gzip- (or deflate-) compressed.
 *
 * Answers follow the OTLP/HTTP specification: `200` with an Export*ServiceResponse in the request's
 * encoding (`partialSuccess` naming how many items were rejected and why), `400` undecodable body,
 * `401` missing/invalid bearer token, `413` body (compressed or not) over `maxBodyBytes` or more than
 * `maxItemsPerRequest` items, `415` unsupported content type or encoding, `429` with `Retry-After` over
 * the rate limit, `503` when the store is busy. Error bodies are `google.rpc.Status` messages.
 *
 * Ingest is authenticated: a static token (compared in constant time) and/or `verifyBearer` (e.g.
 * client-credentials JWTs). The token is never logged or echoed.
 *
 * Mapping: resource attributes `openchoreo.dev/namespace|project|component|environment` give the scope
 * (items without a namespace are rejected unless `defaultNamespace` is set); `service.name` is the span
 * service; `k8s.pod.name` / `k8s.container.name` the pod and container. Log levels come from
 * `severityNumber`, else `severityText`, else the text. Log records (or resources) carrying
 * `openchoreo.dev/workflow-run` (and `openchoreo.dev/workflow-task`) are workflow logs. Metrics: gauges
 * and non-monotonic sums as gauges; monotonic sums as cumulative or delta counters; histograms as
 * `<name>_bucket{le}` (cumulative per bound, `le="+Inf"` = count), `<name>_count` and `<name>_sum`.
 * Exponential histograms and summaries are rejected (reported in `partialSuccess`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import express, { type Request, type Response, type Router } from 'express';
import protobuf from 'protobufjs';
import type { LogLevel, SpanStatus, TelemetryScope } from '../telemetry-backend.js';
import type { LogRecordInput, MetricSampleInput, SampleTemporality, SpanInput, TelemetryStore } from './store/telemetry-store.js';

export interface OtlpReceiverOptions {
  /** A static bearer token (at least 16 characters) that may send data. */
  token?: string;
  /** Verifies any other bearer token (e.g. a client-credentials JWT). Throwing counts as "no". */
  verifyBearer?: (token: string) => Promise<boolean>;
  /** Largest request body, compressed and decompressed. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Authenticated requests per second over all three endpoints (token bucket, burst = rate). Default 50. */
  maxRequestsPerSecond?: number;
  /** Most log records, spans or metric data points in one request. Default 10 000. */
  maxItemsPerRequest?: number;
  /** Namespace for data whose resource has no `openchoreo.dev/namespace`; unset = reject such items. */
  defaultNamespace?: string;
  /** Called with store failures (never with request contents or credentials). */
  onError?: (error: unknown) => void;
}

/** What the receiver writes to: the embedded store (or anything with the same ingest methods). */
export type OtlpSink = Pick<TelemetryStore, 'insertLogs' | 'insertSpans' | 'insertMetricSamples'>;

export type OtlpSignal = 'logs' | 'traces' | 'metrics';
type Encoding = 'json' | 'protobuf';

export const SCOPE_ATTRIBUTES = {
  namespace: 'openchoreo.dev/namespace',
  project: 'openchoreo.dev/project',
  component: 'openchoreo.dev/component',
  environment: 'openchoreo.dev/environment',
} as const;
export const WORKFLOW_RUN_ATTRIBUTE = 'openchoreo.dev/workflow-run';
export const WORKFLOW_TASK_ATTRIBUTE = 'openchoreo.dev/workflow-task';

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
export const OTLP_PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));
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

// google.rpc.Status, the body of every OTLP/HTTP error response.
const statusType = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(statusType);
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

const gunzipAsync = promisify(gunzip) as (buffer: InputType, options: ZlibOptions) => Promise<Buffer>;
const inflateAsync = promisify(inflate) as (buffer: InputType, options: ZlibOptions) => Promise<Buffer>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Creates the router. Needs `token` or `verifyBearer` (refuses to serve unauthenticated ingest). */
export function createOtlpRouter(store: OtlpSink, options: OtlpReceiverOptions = {}): Router {
  if (options.token === undefined && options.verifyBearer === undefined)
    throw new TypeError('OTLP receiver: a token or verifyBearer is required');
  if (options.token !== undefined && options.token.length < 16)
    throw new TypeError('OTLP receiver: the token must have at least 16 characters');
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxItems = options.maxItemsPerRequest ?? 10_000;
  const limiter = new TokenBucket(options.maxRequestsPerSecond ?? 50);
  const expected = options.token === undefined ? undefined : sha256(options.token);
  const root = otlpProtoRoot();

  const authenticate = async (presented: string): Promise<boolean> => {
    // Digests have equal length, so the comparison is constant-time whatever the presented length.
    if (expected && timingSafeEqual(sha256(presented), expected)) return true;
    if (!options.verifyBearer) return false;
    try {
      return (await options.verifyBearer(presented)) === true;
    } catch {
      return false;
    }
  };

  const handle = async (signal: OtlpSignal, req: Request, res: Response): Promise<void> => {
    const encoding = encodingOf(req.headers['content-type']);
    const replyEncoding = encoding ?? 'json';
    const token = bearerToken(req.headers.authorization);
    if (token === undefined || !(await authenticate(token))) {
      res.setHeader('WWW-Authenticate', token === undefined ? 'Bearer realm="otlp"' : 'Bearer realm="otlp", error="invalid_token"');
      return fail(req, res, replyEncoding, 401, 'a valid bearer token is required');
    }
    if (!encoding) return fail(req, res, 'json', 415, 'content type must be application/x-protobuf or application/json');
    const coding = String(req.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    if (!['identity', 'gzip', 'x-gzip', 'deflate', ''].includes(coding))
      return fail(req, res, encoding, 415, 'content encoding must be gzip, deflate or identity');
    const waitMs = limiter.take();
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      return fail(req, res, encoding, 429, 'rate limit exceeded; retry later');
    }
    try {
      const raw = await readBody(req, maxBodyBytes);
      const body = await decompress(raw, coding, maxBodyBytes);
      const message = decode(root, signal, encoding, body);
      const response = ingest(store, signal, message, maxItems, options.defaultNamespace);
      send(res, encoding, 200, responseMessage(root, signal, encoding, response));
    } catch (error) {
      if (error instanceof HttpError) return fail(req, res, encoding, error.status, error.message);
      options.onError?.(error);
      const busy = error instanceof Error && /SQLITE_BUSY|SQLITE_LOCKED/.test((error as { code?: string }).code ?? '');
      if (busy) res.setHeader('Retry-After', '1');
      return fail(req, res, encoding, busy ? 503 : 500, busy ? 'the store is busy; retry later' : 'internal error');
    }
  };

  const router = express.Router();
  for (const signal of ['logs', 'traces', 'metrics'] as const) {
    router.post(`/v1/${signal}`, (req, res) => handle(signal, req, res));
  }
  return router;
}

// ---------------------------------------------------------------- HTTP helpers

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly capacity: number;
  constructor(private readonly rate: number) {
    if (!(rate > 0)) throw new RangeError('maxRequestsPerSecond must be > 0');
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
  }
  /** 0 when a request may go ahead, else how long (ms) until one may. */
  take(): number {
    if (this.rate === Infinity) return 0;
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) / this.rate) * 1000;
  }
}

/** Reads the body, refusing (413) more than `max` bytes; the rest of an oversized body is discarded. */
function readBody(req: Request, max: number): Promise<Buffer> {
  const parsed: unknown = (req as { body?: unknown }).body;
  if (Buffer.isBuffer(parsed) && req.readableEnded) {
    if (parsed.length > max) return Promise.reject(new HttpError(413, `request body exceeds ${max} bytes`));
    return Promise.resolve(parsed);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(new HttpError(413, `request body exceeds ${max} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        reject(new HttpError(413, `request body exceeds ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

async function decompress(body: Buffer, coding: string, max: number): Promise<Buffer> {
  if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate') return body;
  try {
    return await (coding === 'deflate' ? inflateAsync : gunzipAsync)(body, { maxOutputLength: max });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new HttpError(413, `decompressed request body exceeds ${max} bytes`);
    }
    throw new HttpError(400, `request body is not valid ${coding} data`);
  }
}

/** Discards what is left of a request body (bounded), so an early answer does not stall the client. */
function discardRest(req: Request, res: Response): void {
  if (req.readableEnded) return;
  res.setHeader('Connection', 'close');
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > 64 * 1024 * 1024) req.destroy();
  });
  req.resume();
}

function send(res: Response, encoding: Encoding, status: number, body: Uint8Array | object): void {
  res.status(status);
  if (encoding === 'protobuf') {
    res.type('application/x-protobuf').send(Buffer.from(body as Uint8Array));
  } else {
    res.type('application/json').send(JSON.stringify(body));
  }
}

function fail(req: Request, res: Response, encoding: Encoding, status: number, message: string): void {
  discardRest(req, res);
  const code = GRPC_CODE[status] ?? 2;
  send(
    res,
    encoding,
    status,
    encoding === 'protobuf' ? statusType.encode(statusType.create({ code, message })).finish() : { code, message },
  );
}

// ---------------------------------------------------------------- decoding

function decode(root: protobuf.Root, signal: OtlpSignal, encoding: Encoding, body: Buffer): Record<string, unknown> {
  if (encoding === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'request body is not valid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'request body must be a JSON object');
    return value as Record<string, unknown>;
  }
  const type = root.lookupType(SIGNALS[signal].request);
  try {
    // longs as decimal strings and enums as numbers: the same shapes OTLP JSON uses; bytes stay Uint8Array.
    return type.toObject(type.decode(body), { longs: String, enums: Number, defaults: false }) as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'request body is not a valid protobuf message');
  }
}

interface IngestResult {
  rejected: number;
  errorMessage: string;
}

function responseMessage(root: protobuf.Root, signal: OtlpSignal, encoding: Encoding, result: IngestResult): Uint8Array | object {
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

class Rejections {
  count = 0;
  private readonly reasons = new Set<string>();
  reject(reason: string, count = 1): void {
    this.count += count;
    if (this.reasons.size < 10) this.reasons.add(reason);
  }
  get message(): string {
    return [...this.reasons].join('; ').slice(0, 1000);
  }
}

function ingest(
  store: OtlpSink,
  signal: OtlpSignal,
  message: Record<string, unknown>,
  maxItems: number,
  defaultNamespace: string | undefined,
): IngestResult {
  const rejections = new Rejections();
  const countItems = (count: number) => {
    if (count > maxItems) throw new HttpError(413, `the request holds ${count} items, more than ${maxItems}; send smaller batches`);
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

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** An array field (absent = empty); anything else is a malformed request. */
function list(parent: unknown, field: string): Obj[] {
  if (!isObj(parent)) return [];
  const value = parent[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new HttpError(400, `${field} must be an array`);
  return value.map((item) => {
    if (!isObj(item)) throw new HttpError(400, `${field} must hold objects`);
    return item;
  });
}

function child(parent: Obj, field: string): Obj | undefined {
  const value = parent[field];
  return isObj(value) ? value : undefined;
}

const MAX_VALUE_DEPTH = 16;

/** OTLP AnyValue → a plain JSON value (nesting deeper than 16 levels is cut off as null). */
export function anyValueToJs(value: unknown, depth = 0): unknown {
  if (!isObj(value) || depth > MAX_VALUE_DEPTH) return null;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) {
    const n = Number(value.doubleValue);
    return Number.isFinite(n) ? n : String(value.doubleValue);
  }
  if (isObj(value.arrayValue)) return list(value.arrayValue, 'values').map((item) => anyValueToJs(item, depth + 1));
  if (isObj(value.kvlistValue)) return keyValues(list(value.kvlistValue, 'values'), depth + 1);
  if (value.bytesValue instanceof Uint8Array) return Buffer.from(value.bytesValue).toString('base64');
  if (typeof value.bytesValue === 'string') return value.bytesValue;
  return null;
}

function keyValues(items: Obj[], depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of items) if (typeof kv.key === 'string') setOwn(out, kv.key, anyValueToJs(kv.value, depth));
  return out;
}

function attributes(parent: Obj | undefined): Record<string, unknown> {
  return parent ? keyValues(list(parent, 'attributes')) : {};
}

/** Sets an own property, even one named `__proto__` (attribute keys come from the sender). */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function labelText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface ResourceInfo {
  scope: TelemetryScope | undefined;
  attributes: Record<string, unknown>;
}

function resourceInfo(resourceGroup: Obj, defaultNamespace: string | undefined): ResourceInfo {
  const attrs = attributes(child(resourceGroup, 'resource'));
  const namespace = text(attrs[SCOPE_ATTRIBUTES.namespace]) ?? defaultNamespace;
  if (!namespace) return { scope: undefined, attributes: attrs };
  const scope: TelemetryScope = { namespace };
  for (const field of ['project', 'component', 'environment'] as const) {
    const value = text(attrs[SCOPE_ATTRIBUTES[field]]);
    if (value) scope[field] = value;
  }
  return { scope, attributes: attrs };
}

const MISSING_NAMESPACE = `resource attribute ${SCOPE_ATTRIBUTES.namespace} is missing`;

/** Nanoseconds (decimal string or number) → epoch µs; undefined for absent, zero or malformed. */
function nanosToMicros(value: unknown): number | undefined {
  let nanos: bigint;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) nanos = BigInt(value);
  else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) nanos = BigInt(Math.trunc(value));
  else return undefined;
  return nanos > 0n ? Number(nanos / 1000n) : undefined;
}

function hexId(value: unknown, bytes: number): string | undefined {
  let hex: string;
  if (value instanceof Uint8Array) hex = Buffer.from(value).toString('hex');
  else if (typeof value === 'string') hex = value.toLowerCase();
  else return undefined;
  return hex.length === bytes * 2 && /^[0-9a-f]+$/.test(hex) && !/^0+$/.test(hex) ? hex : undefined;
}

function isEmptyId(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (value instanceof Uint8Array && value.length === 0);
}

// ---------------------------------------------------------------- logs

const LEVEL_WORDS: Record<string, LogLevel> = {
  ERROR: 'ERROR',
  ERR: 'ERROR',
  FATAL: 'ERROR',
  CRITICAL: 'ERROR',
  CRIT: 'ERROR',
  PANIC: 'ERROR',
  DPANIC: 'ERROR',
  EMERG: 'ERROR',
  EMERGENCY: 'ERROR',
  ALERT: 'ERROR',
  SEVERE: 'ERROR',
  WARN: 'WARN',
  WARNING: 'WARN',
  INFO: 'INFO',
  INFORMATION: 'INFO',
  NOTICE: 'INFO',
  CONFIG: 'INFO',
  DEBUG: 'DEBUG',
  TRACE: 'DEBUG',
  VERBOSE: 'DEBUG',
  FINE: 'DEBUG',
  FINER: 'DEBUG',
  FINEST: 'DEBUG',
  SILLY: 'DEBUG',
};

/**
 * A log line's level: OTLP `severityNumber` (1–8 DEBUG, 9–12 INFO, 13–16 WARN, 17–24 ERROR; TRACE and
 * FATAL folded in), else `severityText`, else parsed from the text (a `level=`/`"level":` field, a klog
 * header, a bare level word), else INFO.
 */
export function logLevelOf(severityNumber: unknown, severityText: unknown, message: string): LogLevel {
  const n = Number(severityNumber);
  if (Number.isInteger(n) && n >= 1 && n <= 24) return n <= 8 ? 'DEBUG' : n <= 12 ? 'INFO' : n <= 16 ? 'WARN' : 'ERROR';
  const declaredText = typeof severityText === 'string' ? LEVEL_WORDS[severityText.trim().toUpperCase()] : undefined;
  if (declaredText) return declaredText;
  const field = /(?:^|[\s,{])"?(?:lvl|level|severity_?text|severity|levelname|@l)"?\s*[=:]\s*"?([a-z]+)/i.exec(message);
  if (field?.[1]) return LEVEL_WORDS[field[1].toUpperCase()] ?? 'INFO';
  const klog = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/.exec(message);
  if (klog?.[1]) return ({ I: 'INFO', W: 'WARN', E: 'ERROR', F: 'ERROR' } as const)[klog[1] as 'I' | 'W' | 'E' | 'F'];
  const word = /\b(ERROR|FATAL|SEVERE|WARNING|WARN|INFO|DEBUG)\b(?!\s*=)/i.exec(message);
  if (word?.[1]) return LEVEL_WORDS[word[1].toUpperCase()] ?? 'INFO';
  return 'INFO';
}

function convertLogs(
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
      const runName = pick(WORKFLOW_RUN_ATTRIBUTE);
      const task = pick(WORKFLOW_TASK_ATTRIBUTE);
      const pod = pick('k8s.pod.name');
      const container = pick('k8s.container.name');
      if (runName) line.runName = runName;
      if (task) line.task = task;
      if (pod) line.pod = pod;
      if (container) line.container = container;
      out.push(line);
    }
  }
  return out;
}

// ---------------------------------------------------------------- traces

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

function convertSpans(
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
    const service = text(resource.attributes['service.name']);
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

// ---------------------------------------------------------------- metrics

const AGGREGATION_DELTA = 1;
const NO_RECORDED_VALUE = 1;

function numberValue(point: Obj): number | undefined {
  const value = point.asDouble !== undefined ? Number(point.asDouble) : point.asInt !== undefined ? Number(point.asInt) : undefined;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function formatBound(bound: number): string {
  return bound === Infinity ? '+Inf' : String(bound);
}

function labelsOf(point: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes(point))) setOwn(out, key, labelText(value));
  return out;
}

function convertMetrics(
  message: Obj,
  rejections: Rejections,
  defaultNamespace: string | undefined,
  countItems: (n: number) => void,
): MetricSampleInput[] {
  const dataPoints = (metric: Obj): Obj[] => {
    for (const field of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
      const data = child(metric, field);
      if (data) return list(data, 'dataPoints');
    }
    return [];
  };
  const groups = list(message, 'resourceMetrics').map((rm) => ({
    rm,
    metrics: list(rm, 'scopeMetrics').flatMap((sm) => list(sm, 'metrics')),
  }));
  countItems(groups.reduce((n, g) => n + g.metrics.reduce((m, metric) => m + dataPoints(metric).length, 0), 0));
  const out: MetricSampleInput[] = [];
  for (const { rm, metrics } of groups) {
    const resource = resourceInfo(rm, defaultNamespace);
    if (!resource.scope) {
      const points = metrics.reduce((n, metric) => n + dataPoints(metric).length, 0);
      if (points > 0) rejections.reject(MISSING_NAMESPACE, points);
      continue;
    }
    const scope = resource.scope;
    const seriesResource: Record<string, string> = {};
    const scopeKeys = new Set<string>(Object.values(SCOPE_ATTRIBUTES));
    for (const [key, value] of Object.entries(resource.attributes)) if (!scopeKeys.has(key)) setOwn(seriesResource, key, labelText(value));
    for (const metric of metrics) {
      const name = text(metric.name);
      const points = dataPoints(metric);
      if (!name) {
        if (points.length > 0) rejections.reject('metric without a name', points.length);
        continue;
      }
      const gauge = child(metric, 'gauge');
      const sum = child(metric, 'sum');
      const histogram = child(metric, 'histogram');
      if (!gauge && !sum && !histogram) {
        if (points.length > 0)
          rejections.reject(`metric ${name.slice(0, 100)}: only gauge, sum and histogram metrics are supported`, points.length);
        continue;
      }
      const aggregation = Number((sum ?? histogram)?.aggregationTemporality ?? 0);
      for (const point of points) {
        if ((Number(point.flags ?? 0) & NO_RECORDED_VALUE) !== 0) continue;
        const timeUs = nanosToMicros(point.timeUnixNano);
        if (timeUs === undefined) {
          rejections.reject('data point without a valid timeUnixNano');
          continue;
        }
        const startUs = nanosToMicros(point.startTimeUnixNano);
        const base = {
          scope,
          resource: seriesResource,
          timeMs: Math.floor(timeUs / 1000),
          ...(startUs !== undefined ? { startMs: Math.floor(startUs / 1000) } : {}),
        };
        const labels = labelsOf(point);
        if (histogram) {
          const samples = histogramSamples(name, point, labels, aggregation === AGGREGATION_DELTA ? 'delta' : 'cumulative');
          if (!samples) {
            rejections.reject(`metric ${name.slice(0, 100)}: histogram data point with inconsistent bucketCounts and explicitBounds`);
            continue;
          }
          for (const sample of samples) out.push({ ...base, ...sample });
          continue;
        }
        const value = numberValue(point);
        if (value === undefined) {
          rejections.reject(`metric ${name.slice(0, 100)}: data point without a finite asDouble or asInt`);
          continue;
        }
        let temporality: SampleTemporality = 'gauge';
        if (sum && sum.isMonotonic === true) temporality = aggregation === AGGREGATION_DELTA ? 'delta' : 'cumulative';
        out.push({ ...base, name, labels, value, temporality });
      }
    }
  }
  return out;
}

function histogramSamples(
  name: string,
  point: Obj,
  labels: Record<string, string>,
  temporality: SampleTemporality,
): Array<{ name: string; labels: Record<string, string>; value: number; temporality: SampleTemporality }> | undefined {
  const bounds = Array.isArray(point.explicitBounds) ? point.explicitBounds.map(Number) : [];
  const counts = Array.isArray(point.bucketCounts) ? point.bucketCounts.map(Number) : [];
  if (counts.length === 0 && bounds.length === 0) return [];
  if (counts.length !== bounds.length + 1 || !bounds.every(Number.isFinite) || !counts.every((c) => Number.isFinite(c) && c >= 0))
    return undefined;
  const samples: Array<{ name: string; labels: Record<string, string>; value: number; temporality: SampleTemporality }> = [];
  let cumulative = 0;
  counts.forEach((count, i) => {
    cumulative += count;
    samples.push({ name: `${name}_bucket`, labels: { ...labels, le: formatBound(bounds[i] ?? Infinity) }, value: cumulative, temporality });
  });
  const total = point.count !== undefined && Number.isFinite(Number(point.count)) ? Number(point.count) : cumulative;
  samples.push({ name: `${name}_count`, labels, value: total, temporality });
  if (point.sum !== undefined && Number.isFinite(Number(point.sum)))
    samples.push({ name: `${name}_sum`, labels, value: Number(point.sum), temporality });
  return samples;
}
