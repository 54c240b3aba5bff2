import type { ComponentLogQuery, LogLevel, TelemetryScope, TimeWindow } from '../../telemetry-backend.js';

/**
 * WHERE-clause builders. The SQL text is fixed (column names and `@name` placeholders); every value
 * goes into `params` and is bound, never spliced into SQL.
 */
export type Params = Record<string, string | number | null>;

export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const MAX_LIMIT = 10_000;

/** Epoch µs of a Date. */
export const toMicros = (date: Date): number => date.getTime() * 1000;
export const isoFromMicros = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

/** The four scope columns as insert parameters (absent = NULL). */
export function scopeParams(scope: TelemetryScope): Params {
  return {
    namespace: scope.namespace,
    project: scope.project ?? null,
    component: scope.component ?? null,
    environment: scope.environment ?? null,
  };
}

/** Equality on the namespace and on each scope field that is set; `prefix` qualifies the columns (`m.`). */
export function scopeClauses(scope: TelemetryScope, params: Params, prefix = ''): string[] {
  const clauses = [`${prefix}namespace = @namespace`];
  params.namespace = scope.namespace;
  for (const field of ['project', 'component', 'environment'] as const) {
    const value = scope[field];
    if (value !== undefined) {
      clauses.push(`${prefix}${field} = @${field}`);
      params[field] = value;
    }
  }
  return clauses;
}

/** The half-open window `start <= column < end` (µs). */
export function addWindow(clauses: string[], params: Params, window: TimeWindow, column: string): void {
  clauses.push(`${column} >= @start`, `${column} < @end`);
  params.start = toMicros(window.start);
  params.end = toMicros(window.end);
}

/** The stored level is one of `levels`; levels given but none known matches nothing. */
export function addLevels(clauses: string[], params: Params, levels: readonly LogLevel[] | undefined): void {
  const wanted = [...new Set(levels ?? [])].filter((level) => LOG_LEVELS.includes(level));
  if ((levels ?? []).length === 0) return;
  if (wanted.length === 0) {
    clauses.push('0');
    return;
  }
  clauses.push(`level IN (${wanted.map((_, i) => `@level${i}`).join(', ')})`);
  wanted.forEach((level, i) => (params[`level${i}`] = level));
}

/** Case-insensitive literal substring of the message (`plane_icontains` for non-ASCII needles). */
export function addSearch(clauses: string[], params: Params, search: string | undefined): void {
  if (search === undefined || search === '') return;
  const needle = search.toLowerCase();
  // eslint-disable-next-line no-control-regex
  clauses.push(/^[\x00-\x7f]*$/.test(needle) ? 'instr(lower(message), @search) > 0' : 'plane_icontains(message, @search)');
  params.search = needle;
}

export function componentLogFilter(query: Omit<ComponentLogQuery, 'limit' | 'sort'>): { where: string; params: Params } {
  const params: Params = {};
  const clauses = scopeClauses(query.scope, params);
  addWindow(clauses, params, query.window, 'ts_us');
  addLevels(clauses, params, query.levels);
  addSearch(clauses, params, query.search);
  return { where: clauses.join(' AND '), params };
}

/** A page size in [0, 10 000]. */
export function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.min(MAX_LIMIT, Math.max(0, Math.floor(limit))) : 0;
}

/** The scope of a stored row (NULL columns left out). */
export function rowScope(row: {
  namespace: string;
  project: string | null;
  component: string | null;
  environment: string | null;
}): TelemetryScope {
  const scope: TelemetryScope = { namespace: row.namespace };
  if (row.project !== null) scope.project = row.project;
  if (row.component !== null) scope.component = row.component;
  if (row.environment !== null) scope.environment = row.environment;
  return scope;
}
