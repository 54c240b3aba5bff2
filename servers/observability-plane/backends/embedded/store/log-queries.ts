import type Database from 'better-sqlite3';
import type { ComponentLogQuery, LogLevel, LogLine, LogPage, WorkflowLogQuery } from '../../telemetry-backend.js';
import { addLevels, addSearch, addWindow, clampLimit, componentLogFilter, isoFromMicros, rowScope, type Params } from './filters.js';

interface LogRow {
  ts_us: number;
  namespace: string;
  project: string | null;
  component: string | null;
  environment: string | null;
  level: string;
  message: string;
  pod: string | null;
  container: string | null;
  run_name?: string | null;
  task?: string | null;
}

interface Filter {
  where: string;
  params: Params;
}

/** Log queries over the `logs` and `workflow_logs` tables; totals are counted up to `countCap`. */
export class LogQueries {
  constructor(
    private readonly db: Database.Database,
    private readonly countCap: number,
  ) {}

  componentLogs(query: ComponentLogQuery): LogPage {
    return this.page('logs', componentLogFilter(query), query.limit, query.sort, '');
  }

  workflowLogs(query: WorkflowLogQuery): LogPage {
    const params: Params = { namespace: query.namespace };
    const clauses = ['namespace = @namespace'];
    if (query.runName !== undefined) {
      clauses.push('run_name = @runName');
      params.runName = query.runName;
    }
    if (query.task !== undefined) {
      clauses.push('task = @task');
      params.task = query.task;
    }
    addWindow(clauses, params, query.window, 'ts_us');
    addLevels(clauses, params, query.levels);
    addSearch(clauses, params, query.search);
    return this.page('workflow_logs', { where: clauses.join(' AND '), params }, query.limit, query.sort, ', run_name, task');
  }

  /** The exact number of matching component log lines (uncapped). */
  countComponentLogs(query: Omit<ComponentLogQuery, 'limit' | 'sort'>): number {
    const { where, params } = componentLogFilter(query);
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM logs WHERE ${where}`).get(params) as { n: number };
    return row.n;
  }

  private page(table: 'logs' | 'workflow_logs', filter: Filter, limit: number, sort: 'asc' | 'desc', extra: string): LogPage {
    const size = clampLimit(limit);
    const order = sort === 'asc' ? 'ASC' : 'DESC';
    const rows =
      size === 0
        ? []
        : (this.db
            .prepare(
              `SELECT ts_us, namespace, project, component, environment, level, message, pod, container${extra} FROM ${table} ` +
                `WHERE ${filter.where} ORDER BY ts_us ${order}, id ${order} LIMIT @limit`,
            )
            .all({ ...filter.params, limit: size }) as LogRow[]);
    const lines = rows.map(toLogLine);
    if (lines.length < size) return { lines, total: lines.length, totalExact: true };
    const counted = this.db
      .prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${table} WHERE ${filter.where} LIMIT @cap)`)
      .get({ ...filter.params, cap: this.countCap + 1 }) as { n: number };
    return counted.n > this.countCap ? { lines, total: this.countCap, totalExact: false } : { lines, total: counted.n, totalExact: true };
  }
}

function toLogLine(row: LogRow): LogLine {
  const line: LogLine = { timestamp: isoFromMicros(row.ts_us), level: row.level as LogLevel, message: row.message, ...rowScope(row) };
  if (row.run_name) line.runName = row.run_name;
  if (row.task) line.task = row.task;
  if (row.pod) line.pod = row.pod;
  if (row.container) line.container = row.container;
  return line;
}
