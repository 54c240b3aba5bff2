import { Client, errors } from '@opensearch-project/opensearch';
import { UpstreamUnavailableError } from '../../../../shared/errors/plane-errors.js';

export const BACKEND_NAME = 'OpenSearch';

export interface ConnectionOptions {
  url: string;
  username?: string;
  password?: string;
  /** Per request, connection included. Default 5000 ms. */
  requestTimeoutMs?: number;
  /** Retries on connection errors and timeouts (reads are idempotent). Default 0: fail within one timeout. */
  maxRetries?: number;
}

export function createClient(options: ConnectionOptions): Client {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new Error(`invalid OpenSearch URL ${JSON.stringify(options.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('the OpenSearch URL must be http(s)');
  if (url.username || url.password) throw new Error('put OpenSearch credentials in username/password, not in the URL');
  return new Client({
    node: url.toString(),
    ...(options.username !== undefined ? { auth: { username: options.username, password: options.password ?? '' } } : {}),
    requestTimeout: options.requestTimeoutMs ?? 5_000,
    pingTimeout: options.requestTimeoutMs ?? 5_000,
    maxRetries: options.maxRetries ?? 0,
    sniffOnStart: false,
    sniffOnConnectionFault: false,
    // A single node: never wait for a "dead" node's resurrection, just try it again.
    resurrectStrategy: 'none',
    enableMetaHeader: false,
  });
}

/** A query the adapter built wrongly or that OpenSearch refused for its content: a server fault, not an outage. */
export class OpenSearchQueryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OpenSearchQueryError';
  }
}

function describeResponseError(error: errors.ResponseError): string {
  const body = error.body as { error?: { type?: unknown; reason?: unknown; root_cause?: { reason?: unknown }[] } } | undefined;
  const reason = body?.error?.root_cause?.[0]?.reason ?? body?.error?.reason;
  return `HTTP ${error.statusCode}${body?.error?.type ? ` ${String(body.error.type)}` : ''}${reason ? `: ${String(reason).slice(0, 500)}` : ''}`;
}

/**
 * Errors as the tools need them: unreachable, timed out, overloaded (429/5xx), refusing our credentials
 * (401/403) or answering garbage → UpstreamUnavailableError (the cause keeps the detail for the logs);
 * any other 4xx → OpenSearchQueryError (our query is wrong).
 */
export function mapError(error: unknown): Error {
  if (error instanceof UpstreamUnavailableError || error instanceof OpenSearchQueryError) return error;
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode;
    if (status === 401 || status === 403 || status === 408 || status === 429 || status >= 500) {
      return new UpstreamUnavailableError(BACKEND_NAME, { cause: new Error(describeResponseError(error)) });
    }
    return new OpenSearchQueryError(`OpenSearch refused the query: ${describeResponseError(error)}`, { cause: error });
  }
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.DeserializationError ||
    error instanceof errors.RequestAbortedError
  ) {
    return new UpstreamUnavailableError(BACKEND_NAME, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** An answer that does not have the shape we asked for. */
export function malformed(what: string): UpstreamUnavailableError {
  return new UpstreamUnavailableError(BACKEND_NAME, { cause: new Error(`malformed OpenSearch answer: ${what}`) });
}

export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  body?: unknown;
  bulkBody?: Record<string, unknown>[];
  querystring?: Record<string, string | number | boolean>;
}

/** One request; errors mapped; the body must be a JSON object. */
export async function send(client: Client, request: RawRequest): Promise<Record<string, unknown>> {
  let response;
  try {
    response = await client.transport.request({
      method: request.method,
      path: request.path,
      ...(request.body !== undefined ? { body: request.body as Record<string, unknown> } : {}),
      ...(request.bulkBody !== undefined ? { bulkBody: request.bulkBody } : {}),
      ...(request.querystring !== undefined ? { querystring: request.querystring } : {}),
    });
  } catch (error) {
    throw mapError(error);
  }
  const body: unknown = response.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed(`${request.path} did not answer a JSON object`);
  return body as Record<string, unknown>;
}

/** `/<index>,<index>/<endpoint>` with every index name URL-encoded (patterns keep their `*`). */
export function indexPath(indices: readonly string[], endpoint: string): string {
  return `/${indices.map((index) => encodeURIComponent(index)).join(',')}/${endpoint}`;
}
