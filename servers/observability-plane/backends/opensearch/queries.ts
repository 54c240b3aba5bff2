import type { ComponentLogQuery, LogLevel, TelemetryScope, TimeWindow, TraceQuery, WorkflowLogQuery } from '../telemetry-backend.js';
import { InvalidInputError } from '../../../../shared/errors/plane-errors.js';
import { resourceField, type FieldNames } from './fields.js';
import { levelFilterQuery } from './levels.js';
import { ERROR_STATUS_VALUES } from './documents.js';

/**
 * Query DSL builders. Safety rules (the tool layer validates names too, but the adapter is safe on its
 * own): every caller value is a `term`/`terms`/`range` VALUE or, for the search phrase, the value of a
 * `wildcard` query with its three metacharacters escaped. Field names, patterns and scripts are constants
 * or configuration. No `query_string` / `simple_query_string`, no script built from caller text (the one
 * painless script takes numbers through `params`).
 */

export type Query = Record<string, unknown>;

export const MAX_SEARCH_PHRASE_LENGTH = 1_000;

/**
 * The search phrase as a literal for a Lucene wildcard pattern: `\`, `*` and `?` are the only
 * metacharacters of wildcard syntax, each escaped with `\`. We use `wildcard` (`*phrase*`,
 * case_insensitive) rather than `match_phrase` because the contract is a case-insensitive SUBSTRING
 * ("rror" finds "error", "a.b/c" finds itself): match_phrase works on analysed tokens, would ignore
 * punctuation and cannot match inside a word, and the message is a `wildcard` field (OpenChoreo's mapping),
 * built for exactly this query.
 *
 * Known OpenSearch 2.x limitation (opensearch-project/OpenSearch#19719 and related): on `wildcard` fields
 * an escaped backslash matches nothing, so a phrase containing `\` currently finds no line there (on
 * keyword/text fields it matches literally). That errs on the safe side: fewer results, never more.
 */
export function escapeWildcard(value: string): string {
  return value.replace(/[\\*?]/g, (character) => `\\${character}`);
}

export function requireName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidInputError(`${what} is required`);
  if (value.length > 253) throw new InvalidInputError(`${what} is too long`);
  return value;
}

function optionalName(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  return requireName(value, what);
}

export function validateWindow(window: TimeWindow): { start: Date; end: Date } {
  const start = window?.start;
  const end = window?.end;
  if (!(start instanceof Date) || !(end instanceof Date) || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new InvalidInputError('the time window needs a valid start and end');
  }
  if (end.getTime() < start.getTime()) throw new InvalidInputError('the time window ends before it starts');
  return { start, end };
}

/** An integer in [0, max]; anything else is refused (never silently widened). */
export function clampLimit(limit: unknown, max: number): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)
    throw new InvalidInputError('limit must be a non-negative integer');
  return Math.min(limit, max);
}

export function sortOrder(sort: unknown): 'asc' | 'desc' {
  if (sort === 'asc' || sort === 'desc') return sort;
  throw new InvalidInputError('sort must be "asc" or "desc"');
}

const LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

function validLevels(levels: unknown): LogLevel[] {
  if (levels === undefined) return [];
  if (!Array.isArray(levels)) throw new InvalidInputError('levels must be a list');
  for (const level of levels) {
    if (!LEVELS.includes(level as LogLevel)) throw new InvalidInputError(`unknown log level ${JSON.stringify(level)}`);
  }
  return levels as LogLevel[];
}

export function term(field: string, value: string): Query {
  return { term: { [field]: { value } } };
}

function exists(field: string): Query {
  return { exists: { field } };
}

export function timeRange(field: string, start: Date, end: Date): Query {
  // Half-open [start, end): a line at the boundary belongs to exactly one of two adjacent windows.
  return { range: { [field]: { gte: start.toISOString(), lt: end.toISOString(), format: 'strict_date_optional_time_nanos' } } };
}

/** Level and search-phrase filters shared by component and workflow log queries. */
function textFilters(fields: FieldNames, levels: unknown, search: unknown): Query[] {
  const filters: Query[] = [];
  const wanted = validLevels(levels);
  if (wanted.length > 0 && wanted.length < LEVELS.length) filters.push(levelFilterQuery(fields.logLevel, fields.logMessage, wanted));
  if (search !== undefined) {
    if (typeof search !== 'string') throw new InvalidInputError('the search phrase must be a string');
    if (search.length > MAX_SEARCH_PHRASE_LENGTH)
      throw new InvalidInputError(`the search phrase is longer than ${MAX_SEARCH_PHRASE_LENGTH} characters`);
    if (search.length > 0) {
      filters.push({ wildcard: { [fields.logMessage]: { value: `*${escapeWildcard(search)}*`, case_insensitive: true } } });
    }
  }
  return filters;
}

function logScopeFilters(fields: FieldNames, scope: TelemetryScope): Query[] {
  const filters = [term(fields.logNamespace, requireName(scope?.namespace, 'namespace'))];
  const project = optionalName(scope.project, 'project');
  const component = optionalName(scope.component, 'component');
  const environment = optionalName(scope.environment, 'environment');
  if (project !== undefined) filters.push(term(fields.logProject, project));
  if (component !== undefined) filters.push(term(fields.logComponent, component));
  if (environment !== undefined) filters.push(term(fields.logEnvironment, environment));
  return filters;
}

/**
 * Component (runtime) logs: the scope's labels, the window, levels, search. Lines of workflow runs
 * (which carry a workflow-run label) are left out: they belong to the workflow log query.
 */
export function componentLogsQuery(fields: FieldNames, query: Pick<ComponentLogQuery, 'scope' | 'window' | 'levels' | 'search'>): Query {
  const { start, end } = validateWindow(query.window);
  return {
    bool: {
      filter: [
        ...logScopeFilters(fields, query.scope),
        timeRange(fields.logTimestamp, start, end),
        ...textFilters(fields, query.levels, query.search),
      ],
      must_not: [exists(fields.logWorkflowRun)],
    },
  };
}

/**
 * Workflow-run logs of one namespace: always restricted to lines that HAVE a workflow-run label (no run
 * name means every run of the namespace, never its component logs; OpenChoreo fell back to
 * namespace-wide component logs, reference §8.4 #2), then run, task, window, levels and search.
 */
export function workflowLogsQuery(fields: FieldNames, query: WorkflowLogQuery): Query {
  const { start, end } = validateWindow(query.window);
  const filters: Query[] = [term(fields.logNamespace, requireName(query.namespace, 'namespace')), exists(fields.logWorkflowRun)];
  const runName = optionalName(query.runName, 'workflow run name');
  const task = optionalName(query.task, 'task');
  if (runName !== undefined) filters.push(term(fields.logWorkflowRun, runName));
  if (task !== undefined) filters.push(term(fields.logWorkflowTask, task));
  filters.push(timeRange(fields.logTimestamp, start, end), ...textFilters(fields, query.levels, query.search));
  return { bool: { filter: filters } };
}

export function logSort(fields: FieldNames, order: 'asc' | 'desc'): Query[] {
  return [{ [fields.logTimestamp]: { order, unmapped_type: 'date_nanos' } }];
}

export function logSourceFields(fields: FieldNames): string[] {
  return [
    fields.logTimestamp,
    fields.logMessage,
    fields.logLevel,
    fields.logNamespace,
    fields.logProject,
    fields.logComponent,
    fields.logEnvironment,
    fields.logWorkflowRun,
    fields.logWorkflowTask,
    fields.logPod,
    fields.logContainer,
  ];
}

export function spanScopeFilters(fields: FieldNames, scope: TelemetryScope): Query[] {
  const filters = [term(resourceField(fields, 'namespaceAttribute'), requireName(scope?.namespace, 'namespace'))];
  const project = optionalName(scope.project, 'project');
  const component = optionalName(scope.component, 'component');
  const environment = optionalName(scope.environment, 'environment');
  if (project !== undefined) filters.push(term(resourceField(fields, 'projectAttribute'), project));
  if (component !== undefined) filters.push(term(resourceField(fields, 'componentAttribute'), component));
  if (environment !== undefined) filters.push(term(resourceField(fields, 'environmentAttribute'), environment));
  return filters;
}

export function errorStatusQuery(fields: FieldNames): Query {
  return {
    bool: {
      should: ERROR_STATUS_VALUES.map((value) => ({ term: { [fields.spanStatusCode]: { value, case_insensitive: true } } })),
      minimum_should_match: 1,
    },
  };
}

/** Span fields returned for span lists (never `attributes`). */
export function spanSourceFields(fields: FieldNames): string[] {
  return [
    fields.traceId,
    fields.spanId,
    fields.parentSpanId,
    fields.spanName,
    fields.spanKind,
    fields.spanStartTime,
    fields.spanEndTime,
    fields.spanStatusCode,
    fields.spanStatusMessage,
    fields.spanResource,
  ];
}

export interface TraceWindow {
  /** Spans aggregated: [start − lookback, end + lookback). */
  spanStart: Date;
  spanEnd: Date;
  /** A trace is kept when its earliest visible span starts in [start, end). */
  start: Date;
  end: Date;
}

export function traceWindow(window: TimeWindow, lookbackMs: number): TraceWindow {
  const { start, end } = validateWindow(window);
  return { start, end, spanStart: new Date(start.getTime() - lookbackMs), spanEnd: new Date(end.getTime() + lookbackMs) };
}

/** The span filter of a trace query: scope plus the widened window. */
export function traceSpanFilter(fields: FieldNames, scope: TelemetryScope, window: TraceWindow): Query[] {
  return [...spanScopeFilters(fields, scope), timeRange(fields.spanStartTime, window.spanStart, window.spanEnd)];
}

/** Keeps a trace bucket when its earliest span starts in the window and the optional filters hold. Numbers only, through params. */
const KEEP_TRACE_SCRIPT =
  'params.s >= params.windowStart && params.s < params.windowEnd && params.err >= params.minErrors && ' +
  '(params.e > 0 ? params.e - params.s : 0) >= params.minDurationMs';

export interface TraceFilterParams {
  window: TraceWindow;
  errorsOnly: boolean;
  minDurationMs: number;
}

export function validTraceFilters(query: TraceQuery): { errorsOnly: boolean; minDurationMs: number } {
  if (query.errorsOnly !== undefined && typeof query.errorsOnly !== 'boolean') throw new InvalidInputError('errorsOnly must be a boolean');
  const minDurationMs = query.minDurationMs ?? 0;
  if (typeof minDurationMs !== 'number' || !Number.isFinite(minDurationMs) || minDurationMs < 0) {
    throw new InvalidInputError('minDurationMs must be a non-negative number');
  }
  return { errorsOnly: query.errorsOnly === true, minDurationMs };
}

function traceBucketAggs(fields: FieldNames, params: TraceFilterParams): Query {
  return {
    min_start: { min: { field: fields.spanStartTime } },
    max_end: { max: { field: fields.spanEndTime } },
    errors: { filter: errorStatusQuery(fields) },
    keep: {
      bucket_selector: {
        buckets_path: { s: 'min_start', e: 'max_end', err: 'errors>_count' },
        gap_policy: 'insert_zeros',
        script: {
          lang: 'painless',
          source: KEEP_TRACE_SCRIPT,
          params: {
            windowStart: params.window.start.getTime(),
            windowEnd: params.window.end.getTime(),
            minErrors: params.errorsOnly ? 1 : 0,
            minDurationMs: params.minDurationMs,
          },
        },
      },
    },
  };
}

/**
 * Phase 1 of `queryTraces`: the scoped spans grouped by trace (up to `candidates` traces, best first by
 * start), filtered by the script above; `count` is how many traces pass, `page` the first `limit` of them.
 */
export function traceCandidatesBody(
  fields: FieldNames,
  filter: Query[],
  params: TraceFilterParams,
  order: 'asc' | 'desc',
  candidates: number,
  limit: number,
): Query {
  const terms = { field: fields.traceId, size: candidates, shard_size: candidates, order: [{ min_start: order }, { _key: 'asc' }] };
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter } },
    aggs: {
      all: { terms, aggs: traceBucketAggs(fields, params) },
      count: { stats_bucket: { buckets_path: 'all>_count' } },
      page: {
        terms,
        aggs: {
          ...traceBucketAggs(fields, params),
          sorted: { bucket_sort: { sort: [{ min_start: { order } }, { _key: { order: 'asc' } }], size: Math.max(limit, 1) } },
        },
      },
    },
  };
}

/** Phase 2: services touched and the entry span of each trace of the page (same span filter). */
export function traceDetailsBody(fields: FieldNames, filter: Query[], traceIds: string[]): Query {
  const entrySource = [fields.spanName, fields.spanStartTime, fields.spanResource];
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [...filter, { terms: { [fields.traceId]: traceIds } }] } },
    aggs: {
      traces: {
        terms: { field: fields.traceId, size: traceIds.length },
        aggs: {
          services: { terms: { field: resourceField(fields, 'serviceNameAttribute'), size: 50, order: { _key: 'asc' } } },
          root: {
            filter: term(fields.parentSpanId, ''),
            aggs: { hit: { top_hits: { size: 1, sort: [{ [fields.spanStartTime]: { order: 'asc' } }], _source: entrySource } } },
          },
          first: { top_hits: { size: 1, sort: [{ [fields.spanStartTime]: { order: 'asc' } }], _source: entrySource } },
        },
      },
    },
  };
}
