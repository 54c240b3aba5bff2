/**
 * OTLP/HTTP receiver for the embedded store: an Express router serving `POST /v1/logs`, `/v1/traces`
 * and `/v1/metrics` (mount it at the root of an app, or under a prefix, **before** any body parser:
 * it reads the request stream itself).
 *
 * Both encodings of the Export*ServiceRequest messages are accepted (`codec.ts`); bodies may be gzip-
 * (or deflate-) compressed (`request-body.ts`).
 *
 * Answers follow the OTLP/HTTP specification: `200` with an Export*ServiceResponse in the request's
 * encoding (`partialSuccess` naming how many items were rejected and why), `400` undecodable body,
 * `401` missing/invalid bearer token, `413` body (compressed or not) over `maxBodyBytes` or more than
 * `maxItemsPerRequest` items, `415` unsupported content type or encoding, `429` with `Retry-After` over
 * the rate limit, `500` internal error, `503` when the store is busy; any other path is `404`, any
 * other method on an endpoint `405` (`Allow: POST`).
 *
 * Every error body is a short `google.rpc.Status` (`{"code":…,"message":…}`; protobuf-encoded only
 * when answering a protobuf request, as OTLP requires) whose message is fixed text of ours: never a
 * stack trace, a server path, a parser's message or anything of the request, whatever `NODE_ENV` is.
 * Nothing reaches Express's default handlers, and nothing of a request body is logged: `onError`
 * only ever sees store failures.
 *
 * Ingest is authenticated (`ingest-auth.ts`): a static token (compared in constant time) and/or
 * `verifyBearer` (e.g. client-credentials JWTs). The token is never logged or echoed.
 *
 * Mapping (`attribute-mapping.ts` and one converter per signal): resource attributes
 * `openchoreo.dev/namespace|project|component|environment` give the scope (items without a namespace
 * are rejected unless `defaultNamespace` is set); `service.name` is the span service; `k8s.pod.name` /
 * `k8s.container.name` the pod and container. Log levels come from `severityNumber`, else
 * `severityText`, else the text (`log-level.ts`).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { decodeRequest, encodeResponse, encodingOf, otlpProtoRoot, type OtlpSignal } from './codec.js';
import { OtlpHttpError } from './http-error.js';
import { bearerToken, ingestAuthenticator } from './ingest-auth.js';
import { ingest, type OtlpSink } from './ingest.js';
import { TokenBucket } from './rate-limit.js';
import { contentCodingOf, decompress, readBody } from './request-body.js';
import { fail, send } from './responses.js';

export type { OtlpSignal } from './codec.js';
export type { OtlpSink } from './ingest.js';

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

/** Creates the router. Needs `token` or `verifyBearer` (refuses to serve unauthenticated ingest). */
export function createOtlpRouter(store: OtlpSink, options: OtlpReceiverOptions = {}): Router {
  const authenticate = ingestAuthenticator(options);
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxItems = options.maxItemsPerRequest ?? 10_000;
  const limiter = new TokenBucket(options.maxRequestsPerSecond ?? 50);
  const root = otlpProtoRoot();

  const handle = async (signal: OtlpSignal, req: Request, res: Response): Promise<void> => {
    const encoding = encodingOf(req.headers['content-type']);
    const replyEncoding = encoding ?? 'json';
    const token = bearerToken(req.headers.authorization);
    if (token === undefined || !(await authenticate(token))) {
      res.setHeader('WWW-Authenticate', token === undefined ? 'Bearer realm="otlp"' : 'Bearer realm="otlp", error="invalid_token"');
      return fail(req, res, replyEncoding, 401, 'a valid bearer token is required');
    }
    if (!encoding) return fail(req, res, 'json', 415, 'content type must be application/x-protobuf or application/json');
    const coding = contentCodingOf(req.headers['content-encoding']);
    if (coding === undefined) return fail(req, res, encoding, 415, 'content encoding must be gzip, deflate or identity');
    const waitMs = limiter.take();
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      return fail(req, res, encoding, 429, 'rate limit exceeded; retry later');
    }
    try {
      const raw = await readBody(req, maxBodyBytes);
      const body = await decompress(raw, coding, maxBodyBytes);
      const message = decodeRequest(root, signal, encoding, body);
      const response = ingest(store, signal, message, maxItems, options.defaultNamespace);
      send(res, encoding, 200, encodeResponse(root, signal, encoding, response));
    } catch (error) {
      if (error instanceof OtlpHttpError) return fail(req, res, encoding, error.status, error.message);
      report(options.onError, error);
      const busy = error instanceof Error && /SQLITE_BUSY|SQLITE_LOCKED/.test((error as { code?: string }).code ?? '');
      if (busy) res.setHeader('Retry-After', '1');
      return fail(req, res, encoding, busy ? 503 : 500, busy ? 'the store is busy; retry later' : 'internal error');
    }
  };

  const router = express.Router();
  for (const signal of ['logs', 'traces', 'metrics'] as const) {
    router.post(`/v1/${signal}`, (req, res) => handle(signal, req, res));
    router.all(`/v1/${signal}`, (req, res) => {
      res.setHeader('Allow', 'POST');
      fail(req, res, 'json', 405, 'method not allowed; use POST');
    });
  }
  router.use((req, res) => fail(req, res, 'json', 404, 'not found; the endpoints are POST /v1/logs, /v1/traces and /v1/metrics'));
  // Last resort for anything thrown past `handle`: Express's default handler would answer HTML (with the stack outside production).
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = clientErrorStatus(error);
    fail(req, res, 'json', status ?? 500, status === undefined ? 'internal error' : 'request refused');
  });
  return router;
}

/** Hands a failure to `onError`; a callback that throws must not keep the client from its answer. */
function report(onError: ((error: unknown) => void) | undefined, error: unknown): void {
  try {
    onError?.(error);
  } catch {
    // The callback is the caller's logger; there is nowhere else to report its failure.
  }
}

/** The 4xx status an Express-side error carries (`http-errors` style), if any. */
function clientErrorStatus(error: unknown): number | undefined {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined;
}
