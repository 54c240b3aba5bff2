import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../../../shared/errors/plane-errors.js';
import { openSqliteDatabase } from '../../../shared/sqlite/open-database.js';
import type { TelemetryScope, TimeWindow } from '../backends/telemetry-backend.js';

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface Alert {
  id: string;
  rule: string;
  severity: string;
  scope: TelemetryScope;
  firedAt: string;
  value: number;
  message: string;
  incidentId: string;
}

export interface Incident {
  id: string;
  rule: string;
  severity: string;
  scope: TelemetryScope;
  status: IncidentStatus;
  summary: string;
  openedAt: string;
  lastAlertAt: string;
  alertCount: number;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  note?: string;
}

export interface AlertQuery {
  scope: TelemetryScope;
  window: TimeWindow;
  limit: number;
  sort: 'asc' | 'desc';
  status?: IncidentStatus;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS incidents (
    id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL,
    namespace TEXT NOT NULL, project TEXT, component TEXT, environment TEXT,
    status TEXT NOT NULL, summary TEXT NOT NULL, opened_at TEXT NOT NULL, last_alert_at TEXT NOT NULL,
    alert_count INTEGER NOT NULL, acknowledged_at TEXT, acknowledged_by TEXT, resolved_at TEXT, resolved_by TEXT, note TEXT
  );
  CREATE INDEX IF NOT EXISTS incidents_scope ON incidents (namespace, project, component, opened_at);
  CREATE INDEX IF NOT EXISTS incidents_rule_status ON incidents (rule, status);
  CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL,
    namespace TEXT NOT NULL, project TEXT, component TEXT, environment TEXT,
    fired_at TEXT NOT NULL, value REAL NOT NULL, message TEXT NOT NULL, incident_id TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS alerts_scope ON alerts (namespace, project, component, fired_at);
`;

type Row = Record<string, string | number | null>;

/** The observability plane's own store: fired alerts and incidents with their lifecycle. */
export class IncidentStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqliteDatabase(file);
    this.db.exec(SCHEMA);
  }

  /** Record a firing: one alert, attached to the rule's unresolved incident or a new open one. */
  recordFiring(
    rule: { name: string; severity: string; scope: TelemetryScope; description?: string },
    value: number,
    message: string,
    at = new Date(),
  ): { alert: Alert; incident: Incident; opened: boolean } {
    const time = at.toISOString();
    return this.db.transaction(() => {
      let incident = this.unresolvedIncident(rule.name);
      const opened = incident === undefined;
      if (!incident) {
        const id = randomUUID();
        this.db
          .prepare(
            `INSERT INTO incidents (id, rule, severity, namespace, project, component, environment, status, summary, opened_at, last_alert_at, alert_count)
             VALUES (@id, @rule, @severity, @namespace, @project, @component, @environment, 'open', @summary, @time, @time, 0)`,
          )
          .run({ id, rule: rule.name, severity: rule.severity, ...scopeColumns(rule.scope), summary: rule.description ?? message, time });
        incident = this.incident(id)!;
      }
      const alert: Alert = {
        id: randomUUID(),
        rule: rule.name,
        severity: rule.severity,
        scope: rule.scope,
        firedAt: time,
        value,
        message,
        incidentId: incident.id,
      };
      this.db
        .prepare(
          `INSERT INTO alerts (id, rule, severity, namespace, project, component, environment, fired_at, value, message, incident_id)
           VALUES (@id, @rule, @severity, @namespace, @project, @component, @environment, @time, @value, @message, @incidentId)`,
        )
        .run({
          id: alert.id,
          rule: rule.name,
          severity: rule.severity,
          ...scopeColumns(rule.scope),
          time,
          value,
          message,
          incidentId: incident.id,
        });
      this.db.prepare('UPDATE incidents SET alert_count = alert_count + 1, last_alert_at = ? WHERE id = ?').run(time, incident.id);
      return { alert, incident: this.incident(incident.id)!, opened };
    })();
  }

  /** The condition cleared: resolve the rule's unresolved incident, if any. */
  resolveCleared(ruleName: string, at = new Date()): Incident | undefined {
    const incident = this.unresolvedIncident(ruleName);
    if (!incident) return undefined;
    return this.setStatus(incident.id, 'resolved', 'system:condition-cleared', undefined, at);
  }

  /** Move an incident along open → acknowledged → resolved; moving backwards is refused. */
  setStatus(id: string, status: 'acknowledged' | 'resolved', by: string, note?: string, at = new Date()): Incident | undefined {
    const current = this.incident(id);
    if (!current) return undefined;
    const order: Record<IncidentStatus, number> = { open: 0, acknowledged: 1, resolved: 2 };
    if (order[status] <= order[current.status]) throw new IncidentTransitionError(current.status, status);
    const column = status === 'acknowledged' ? 'acknowledged' : 'resolved';
    this.db
      .prepare(`UPDATE incidents SET status = ?, ${column}_at = ?, ${column}_by = ?, note = COALESCE(?, note) WHERE id = ?`)
      .run(status, at.toISOString(), by, note ?? null, id);
    return this.incident(id);
  }

  incident(id: string): Incident | undefined {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    return row ? toIncident(row) : undefined;
  }

  queryAlerts(query: AlertQuery): Alert[] {
    const { where, params } = scopeWhere(query, 'fired_at');
    const rows = this.db
      .prepare(`SELECT * FROM alerts WHERE ${where} ORDER BY fired_at ${query.sort === 'asc' ? 'ASC' : 'DESC'} LIMIT @limit`)
      .all({ ...params, limit: query.limit }) as Row[];
    return rows.map(toAlert);
  }

  queryIncidents(query: AlertQuery): Incident[] {
    const { where, params } = scopeWhere(query, 'last_alert_at');
    const status = query.status ? ' AND status = @status' : '';
    const rows = this.db
      .prepare(`SELECT * FROM incidents WHERE ${where}${status} ORDER BY opened_at ${query.sort === 'asc' ? 'ASC' : 'DESC'} LIMIT @limit`)
      .all({ ...params, limit: query.limit, ...(query.status ? { status: query.status } : {}) }) as Row[];
    return rows.map(toIncident);
  }

  close(): void {
    this.db.close();
  }

  private unresolvedIncident(rule: string): Incident | undefined {
    const row = this.db
      .prepare("SELECT * FROM incidents WHERE rule = ? AND status != 'resolved' ORDER BY opened_at DESC LIMIT 1")
      .get(rule) as Row | undefined;
    return row ? toIncident(row) : undefined;
  }
}

/** Incidents only move forward (open → acknowledged → resolved); the caller asked for a step back. */
export class IncidentTransitionError extends InvalidInputError {
  constructor(
    readonly from: IncidentStatus,
    readonly to: IncidentStatus,
  ) {
    super(`an incident that is ${from} cannot become ${to}`, 'Query the incident to see its current status.');
  }
}

function scopeColumns(scope: TelemetryScope) {
  return {
    namespace: scope.namespace,
    project: scope.project ?? null,
    component: scope.component ?? null,
    environment: scope.environment ?? null,
  };
}

/** Every value is a bound parameter; a scope field narrows only when given. */
function scopeWhere(query: AlertQuery, timeColumn: string) {
  const clauses = ['namespace = @namespace', `${timeColumn} >= @start`, `${timeColumn} <= @end`];
  const params: Record<string, string> = {
    namespace: query.scope.namespace,
    start: query.window.start.toISOString(),
    end: query.window.end.toISOString(),
  };
  for (const field of ['project', 'component', 'environment'] as const) {
    const value = query.scope[field];
    if (value) {
      clauses.push(`${field} = @${field}`);
      params[field] = value;
    }
  }
  return { where: clauses.join(' AND '), params };
}

function scopeOfRow(row: Row): TelemetryScope {
  return {
    namespace: String(row.namespace),
    ...(row.project ? { project: String(row.project) } : {}),
    ...(row.component ? { component: String(row.component) } : {}),
    ...(row.environment ? { environment: String(row.environment) } : {}),
  };
}

function toAlert(row: Row): Alert {
  return {
    id: String(row.id),
    rule: String(row.rule),
    severity: String(row.severity),
    scope: scopeOfRow(row),
    firedAt: String(row.fired_at),
    value: Number(row.value),
    message: String(row.message),
    incidentId: String(row.incident_id),
  };
}

function toIncident(row: Row): Incident {
  const optional = (key: string, column: string) => (row[column] ? { [key]: String(row[column]) } : {});
  return {
    id: String(row.id),
    rule: String(row.rule),
    severity: String(row.severity),
    scope: scopeOfRow(row),
    status: String(row.status) as IncidentStatus,
    summary: String(row.summary),
    openedAt: String(row.opened_at),
    lastAlertAt: String(row.last_alert_at),
    alertCount: Number(row.alert_count),
    ...optional('acknowledgedAt', 'acknowledged_at'),
    ...optional('acknowledgedBy', 'acknowledged_by'),
    ...optional('resolvedAt', 'resolved_at'),
    ...optional('resolvedBy', 'resolved_by'),
    ...optional('note', 'note'),
  };
}
