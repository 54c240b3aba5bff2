import type { Client } from '@opensearch-project/opensearch';
import type {
  ComponentLogQuery,
  LogBackend,
  LogLine,
  LogPage,
  Span,
  SpanDetails,
  TraceBackend,
  TracePage,
  TraceQuery,
  TraceSummary,
  WorkflowLogQuery,
} from '../telemetry-backend.js';
import { getPath, resolveFields, type FieldNames } from './fields.js';
import { indexForTimestamp, validateIndexPrefix, windowIndices } from './indices.js';
import { logLineDocument, logLineFromSource, spanDetailsFromSource, spanDocument, spanFromSource, durationMs } from './documents.js';
import {
  clampLimit,
  componentLogsQuery,
  logSort,
  logSourceFields,
  requireName,
  sortOrder,
  spanScopeFilters,
  spanSourceFields,
  term,
  timeRange,
  traceCandidatesBody,
  traceDetailsBody,
  traceSpanFilter,
  traceWindow,
  validateWindow,
  validTraceFilters,
  workflowLogsQuery,
  type Query,
} from './queries.js';
import { ensureIndexTemplates, type IndexTemplateOptions } from './templates.js';
import { createClient, malformed, send, indexPath, BACKEND_NAME, type ConnectionOptions } from './transport.js';
import { UpstreamUnavailableError } from '../../../../shared/errors/plane-errors.js';

export interface OpenSearchBackendOptions extends ConnectionOptions {
  /** Daily log indices `<prefix>YYYY-MM-DD` (UTC). Default `container-logs-`. */
  logIndexPrefix?: string;
  /** Daily span indices `<prefix>YYYY-MM-DD` (UTC). Default `otel-traces-`. */
  traceIndexPrefix?: string;
  fields?: Partial<FieldNames>;
  /** Largest page ever requested (`size`); keep ≤ the indices' `index.max_result_window`. Default 10,000. */
  maxResultWindow?: number;
  /** Hits counted exactly up to this many; beyond, `totalExact` is false. Default 10,000. */
  trackTotalHitsUpTo?: number;
  /** Traces a trace query groups at most before filtering (terms buckets). Default 1,000. */
  maxTraceCandidates?: number;
  /**
   * How far before (and after) the window spans are looked at, so a trace that started before the
   * window is recognised and dropped and one that runs past its end is complete. Default 15 minutes.
   */
  traceLookbackMs?: number;
}

export interface WriteOptions {
  /** Make the documents searchable before returning (tests, demo). Default false. */
  refresh?: boolean;
}

export interface OpenSearchBackend {
  readonly name: 'opensearch';
  logs: LogBackend;
  traces: TraceBackend;
  /** The underlying client (index templates, the demo data plane). */
  readonly client: Client;
  readonly fields: Readonly<FieldNames>;
  /** Reachable and the cluster yellow or green. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** Installs the index templates of both families with this backend's prefixes and fields. */
  ensureIndexTemplates(options?: Pick<IndexTemplateOptions, 'replicas' | 'priority'>): Promise<void>;
  /** Bulk-writes log lines into their daily indices, in the shape the reader expects. */
  indexLogLines(lines: readonly LogLine[], options?: WriteOptions): Promise<void>;
  /** Bulk-writes spans (with attributes and resource when given) into their daily indices. */
  indexSpans(spans: readonly (Span | SpanDetails)[], options?: WriteOptions): Promise<void>;
}

const SEARCH_QUERYSTRING = { ignore_unavailable: true, allow_no_indices: true, expand_wildcards: 'open' } as const;
const BULK_CHUNK = 2_000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < 1) throw new Error(`${what} must be a positive integer`);
  return result;
}

/** Any shard failure means the answer is incomplete: better an error than a silently partial result. */
function checkShards(body: Json): void {
  if (body.timed_out === true) throw new UpstreamUnavailableError(BACKEND_NAME, { cause: new Error('search timed out') });
  const shards = body._shards;
  if (!isObject(shards)) throw malformed('no _shards');
  if (typeof shards.failed === 'number' && shards.failed > 0) {
    const failure = Array.isArray(shards.failures) ? (shards.failures[0] as Json | undefined) : undefined;
    const reason = isObject(failure?.reason) ? JSON.stringify(failure.reason).slice(0, 500) : 'unknown';
    throw new UpstreamUnavailableError(BACKEND_NAME, { cause: new Error(`${shards.failed} shard(s) failed: ${reason}`) });
  }
}

interface Hits {
  hits: Json[];
  total: number;
  totalExact: boolean;
}

function parseHits(body: Json): Hits {
  checkShards(body);
  const hits = body.hits;
  if (!isObject(hits) || !Array.isArray(hits.hits)) throw malformed('no hits.hits');
  let total: number;
  let totalExact = true;
  if (typeof hits.total === 'number') total = hits.total;
  else if (isObject(hits.total) && typeof hits.total.value === 'number') {
    total = hits.total.value;
    totalExact = hits.total.relation === 'eq';
  } else throw malformed('no hits.total');
  const sources = hits.hits.map((hit) => {
    if (!isObject(hit) || !isObject(hit._source)) throw malformed('a hit without _source');
    return hit._source;
  });
  return { hits: sources, total, totalExact };
}

function aggregation(body: Json, name: string): Json {
  const aggregations = body.aggregations;
  if (!isObject(aggregations) || !isObject(aggregations[name])) throw malformed(`no aggregation "${name}"`);
  return aggregations[name] as Json;
}

function buckets(agg: Json, what: string): Json[] {
  if (!Array.isArray(agg.buckets) || !agg.buckets.every(isObject)) throw malformed(`no buckets in "${what}"`);
  return agg.buckets as Json[];
}

function numberAt(value: unknown, path: string, what: string): number {
  const found = getPath(value, path);
  if (typeof found !== 'number' || !Number.isFinite(found)) throw malformed(`${what}: ${path} is not a number`);
  return found;
}

function firstTopHit(value: unknown): Json | undefined {
  const hits = getPath(value, 'hits.hits');
  if (!Array.isArray(hits) || hits.length === 0) return undefined;
  const first: unknown = hits[0];
  return isObject(first) && isObject(first._source) ? first._source : undefined;
}

export function createOpenSearchBackend(options: OpenSearchBackendOptions): OpenSearchBackend {
  const fields = resolveFields(options.fields);
  const logPrefix = validateIndexPrefix(options.logIndexPrefix ?? 'container-logs-', 'log index prefix');
  const tracePrefix = validateIndexPrefix(options.traceIndexPrefix ?? 'otel-traces-', 'trace index prefix');
  const maxResultWindow = positiveInteger(options.maxResultWindow, 10_000, 'maxResultWindow');
  const trackTotalHitsUpTo = positiveInteger(options.trackTotalHitsUpTo, 10_000, 'trackTotalHitsUpTo');
  const maxTraceCandidates = positiveInteger(options.maxTraceCandidates, 1_000, 'maxTraceCandidates');
  const traceLookbackMs = options.traceLookbackMs ?? 15 * 60_000;
  if (!Number.isFinite(traceLookbackMs) || traceLookbackMs < 0) throw new Error('traceLookbackMs must be a non-negative number');
  const client = createClient(options);

  const search = async (indices: string[], body: Query, querystring: Record<string, string | number | boolean> = {}) => {
    if (indices.length === 0) throw new Error('no index to search');
    return send(client, {
      method: 'POST',
      path: indexPath(indices, '_search'),
      body,
      querystring: { ...SEARCH_QUERYSTRING, ...querystring },
    });
  };

  async function logPage(query: Query, window: { start: Date; end: Date }, limit: unknown, sort: unknown): Promise<LogPage> {
    const size = clampLimit(limit, maxResultWindow);
    const body = await search(windowIndices(logPrefix, window.start, window.end), {
      size,
      track_total_hits: trackTotalHitsUpTo,
      query,
      sort: logSort(fields, sortOrder(sort)),
      _source: logSourceFields(fields),
    });
    const hits = parseHits(body);
    return { lines: hits.hits.map((source) => logLineFromSource(source, fields)), total: hits.total, totalExact: hits.totalExact };
  }

  const logs: LogBackend = {
    async queryComponentLogs(query: ComponentLogQuery): Promise<LogPage> {
      return logPage(componentLogsQuery(fields, query), validateWindow(query.window), query.limit, query.sort);
    },

    async queryWorkflowLogs(query: WorkflowLogQuery): Promise<LogPage> {
      return logPage(workflowLogsQuery(fields, query), validateWindow(query.window), query.limit, query.sort);
    },

    async countComponentLogs(query: Omit<ComponentLogQuery, 'limit' | 'sort'>): Promise<number> {
      const window = validateWindow(query.window);
      const body = await send(client, {
        method: 'POST',
        path: indexPath(windowIndices(logPrefix, window.start, window.end), '_count'),
        body: { query: componentLogsQuery(fields, query) },
        querystring: { ...SEARCH_QUERYSTRING },
      });
      checkShards(body);
      if (typeof body.count !== 'number') throw malformed('no count');
      return body.count;
    },
  };

  const traces: TraceBackend = {
    async queryTraces(query: TraceQuery): Promise<TracePage> {
      const limit = clampLimit(query.limit, maxTraceCandidates);
      const order = sortOrder(query.sort);
      const window = traceWindow(query.window, traceLookbackMs);
      const { errorsOnly, minDurationMs } = validTraceFilters(query);
      const filter = traceSpanFilter(fields, query.scope, window);
      const indices = windowIndices(tracePrefix, window.spanStart, window.spanEnd);

      const phase1 = await search(
        indices,
        traceCandidatesBody(fields, filter, { window, errorsOnly, minDurationMs }, order, maxTraceCandidates, limit),
        { filter_path: 'timed_out,_shards,aggregations.count,aggregations.all.sum_other_doc_count,aggregations.page.buckets' },
      );
      checkShards(phase1);
      const aggregations = phase1.aggregations;
      if (!isObject(aggregations)) throw malformed('no aggregations');
      // filter_path drops empty objects: no candidate at all leaves no "all"/"page".
      const all = isObject(aggregations.all) ? aggregations.all : { sum_other_doc_count: 0 };
      const total = numberAt(aggregation(phase1, 'count'), 'count', 'trace count');
      const totalExact = numberAt(all, 'sum_other_doc_count', 'trace candidates') === 0;
      const pageBuckets = isObject(aggregations.page) ? buckets(aggregations.page, 'page') : [];
      const page = pageBuckets.slice(0, limit).map((bucket) => {
        if (typeof bucket.key !== 'string') throw malformed('a trace bucket without a key');
        return {
          traceId: bucket.key,
          spanCount: numberAt(bucket, 'doc_count', 'trace'),
          errorSpanCount: numberAt(bucket, 'errors.doc_count', 'trace'),
          minStart: getPath(bucket, 'min_start.value_as_string'),
          maxEnd: getPath(bucket, 'max_end.value_as_string'),
        };
      });
      if (page.length === 0) return { traces: [], total, totalExact };

      const phase2 = await search(
        indices,
        traceDetailsBody(
          fields,
          filter,
          page.map((trace) => trace.traceId),
        ),
      );
      checkShards(phase2);
      const details = new Map(buckets(aggregation(phase2, 'traces'), 'traces').map((bucket) => [bucket.key, bucket]));
      const summaries: TraceSummary[] = page.map((trace) => {
        const bucket = details.get(trace.traceId);
        const root = firstTopHit(getPath(bucket, 'root.hit'));
        const entry = root ?? firstTopHit(getPath(bucket, 'first'));
        const entrySpan = entry ? spanFromSource(entry, fields) : undefined;
        const serviceBuckets = getPath(bucket, 'services.buckets');
        const services = Array.isArray(serviceBuckets)
          ? serviceBuckets
              .map((service: unknown) => (isObject(service) ? service.key : undefined))
              .filter((key): key is string => typeof key === 'string')
          : [];
        const startTime = typeof trace.minStart === 'string' ? trace.minStart : (entrySpan?.startTime ?? '');
        const endTime = typeof trace.maxEnd === 'string' ? trace.maxEnd : startTime;
        const summary: TraceSummary = {
          traceId: trace.traceId,
          name: entrySpan?.name ?? '',
          startTime,
          endTime,
          durationMs: durationMs(startTime, endTime),
          spanCount: trace.spanCount,
          errorSpanCount: trace.errorSpanCount,
          services,
        };
        if (entrySpan?.service !== undefined) summary.rootService = entrySpan.service;
        return summary;
      });
      return { traces: summaries, total, totalExact };
    },

    async traceSpans(query) {
      const traceId = requireName(query.traceId, 'trace id');
      const size = clampLimit(query.limit, maxResultWindow);
      const filter: Query[] = [term(fields.traceId, traceId), ...spanScopeFilters(fields, query.scope)];
      let indices = [`${tracePrefix}*`];
      if (query.window !== undefined) {
        const window = validateWindow(query.window);
        filter.push(timeRange(fields.spanStartTime, window.start, window.end));
        indices = windowIndices(tracePrefix, window.start, window.end);
      }
      const body = await search(indices, {
        size,
        track_total_hits: trackTotalHitsUpTo,
        query: { bool: { filter } },
        sort: [
          { [fields.spanStartTime]: { order: 'asc', unmapped_type: 'date_nanos' } },
          { [fields.spanId]: { order: 'asc', unmapped_type: 'keyword' } },
        ],
        _source: spanSourceFields(fields),
      });
      const hits = parseHits(body);
      return { spans: hits.hits.map((source) => spanFromSource(source, fields)), total: hits.total };
    },

    async getSpan(traceId: string, spanId: string): Promise<SpanDetails | undefined> {
      const body = await search([`${tracePrefix}*`], {
        size: 1,
        track_total_hits: false,
        query: {
          bool: { filter: [term(fields.traceId, requireName(traceId, 'trace id')), term(fields.spanId, requireName(spanId, 'span id'))] },
        },
      });
      checkShards(body);
      const hits = getPath(body, 'hits.hits');
      if (!Array.isArray(hits)) throw malformed('no hits.hits');
      const first: unknown = hits[0];
      if (first === undefined) return undefined;
      if (!isObject(first) || !isObject(first._source)) throw malformed('a hit without _source');
      return spanDetailsFromSource(first._source, fields);
    },
  };

  async function bulk(documents: { index: string; document: Json }[], writeOptions: WriteOptions = {}): Promise<void> {
    for (let offset = 0; offset < documents.length; offset += BULK_CHUNK) {
      const chunk = documents.slice(offset, offset + BULK_CHUNK);
      const last = offset + BULK_CHUNK >= documents.length;
      const body = await send(client, {
        method: 'POST',
        path: '/_bulk',
        bulkBody: chunk.flatMap(({ index, document }) => [{ index: { _index: index } }, document]),
        ...(writeOptions.refresh && last ? { querystring: { refresh: 'true' } } : {}),
      });
      if (body.errors === true) {
        const items = Array.isArray(body.items) ? (body.items as unknown[]) : [];
        const failed = items.map((item) => getPath(item, 'index.error')).filter((error) => error !== undefined);
        throw new Error(`OpenSearch refused ${failed.length} of ${chunk.length} documents: ${JSON.stringify(failed[0]).slice(0, 500)}`);
      }
    }
  }

  return {
    name: 'opensearch',
    logs,
    traces,
    client,
    fields,
    async ping() {
      try {
        const body = await send(client, { method: 'GET', path: '/_cluster/health' });
        return body.status === 'green' || body.status === 'yellow';
      } catch {
        return false;
      }
    },
    async close() {
      await client.close();
    },
    ensureIndexTemplates: (templateOptions = {}) =>
      ensureIndexTemplates(client, { ...templateOptions, logIndexPrefix: logPrefix, traceIndexPrefix: tracePrefix, fields }),
    indexLogLines: (lines, writeOptions) =>
      bulk(
        lines.map((line) => ({ index: indexForTimestamp(logPrefix, line.timestamp), document: logLineDocument(line, fields) })),
        writeOptions,
      ),
    indexSpans: (spans, writeOptions) =>
      bulk(
        spans.map((span) => ({ index: indexForTimestamp(tracePrefix, span.startTime), document: spanDocument(span, fields) })),
        writeOptions,
      ),
  };
}
