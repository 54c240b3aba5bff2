import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { NotFoundError } from '../../../shared/errors/plane-errors.js';
import { authorizeScope, telemetryTarget } from './support/access.js';
import { observabilityTool } from './support/define.js';
import {
  describeWindow,
  resolveWindow,
  resultLimit,
  scopeArguments,
  scopeOf,
  scopeOutput,
  sortOrder,
  windowArguments,
  windowOutput,
} from './support/query-arguments.js';

const alertView = z.object({
  id: z.string(),
  rule: z.string(),
  severity: z.string(),
  scope: scopeOutput,
  firedAt: z.string(),
  value: z.number(),
  message: z.string(),
  incidentId: z.string(),
});
const incidentView = z.object({
  id: z.string(),
  rule: z.string(),
  severity: z.string(),
  scope: scopeOutput,
  status: z.enum(['open', 'acknowledged', 'resolved']),
  summary: z.string(),
  openedAt: z.string(),
  lastAlertAt: z.string(),
  alertCount: z.number(),
  acknowledgedAt: z.string().optional(),
  acknowledgedBy: z.string().optional(),
  resolvedAt: z.string().optional(),
  resolvedBy: z.string().optional(),
  note: z.string().optional(),
});

export const queryAlerts = observabilityTool({
  name: 'query_alerts',
  title: 'Query alerts',
  description: 'Alerts fired by the alert rules (log-pattern counts, metric thresholds) in a window (default last 15 minutes).',
  toolset: 'alerts',
  kind: 'read',
  scope: SCOPES.observabilityRead,
  input: z.object({ ...scopeArguments, ...windowArguments, limit: resultLimit.default(50), sort_order: sortOrder }),
  output: z.object({ scope: scopeOutput, window: windowOutput, alerts: z.array(alertView), hints: z.array(z.string()) }),
  authorization: authorizeScope('alerts:view'),
  handler: async (input, { deps }) => {
    const scope = scopeOf(input);
    const window = resolveWindow(input, deps.limits);
    const alerts = deps.incidents.queryAlerts({
      scope,
      window,
      limit: Math.min(input.limit, deps.limits.maxResults),
      sort: input.sort_order,
    });
    return {
      scope,
      window: describeWindow(window),
      alerts,
      hints: alerts.length === 0 ? ['No alerts fired in the window; query_incidents shows longer-running incidents.'] : [],
    };
  },
  summarize: (result) =>
    result.alerts.map((alert) => `${alert.firedAt} [${alert.severity}] ${alert.rule}: ${alert.message}`).join('\n') || 'no alerts',
});

export const queryIncidents = observabilityTool({
  name: 'query_incidents',
  title: 'Query incidents',
  description: 'Incidents (one per firing alert rule until resolved) with their lifecycle: open, acknowledged, resolved.',
  toolset: 'alerts',
  kind: 'read',
  scope: SCOPES.observabilityRead,
  input: z.object({
    ...scopeArguments,
    ...windowArguments,
    status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
    limit: resultLimit.default(50),
    sort_order: sortOrder,
  }),
  output: z.object({ scope: scopeOutput, window: windowOutput, incidents: z.array(incidentView) }),
  authorization: authorizeScope('incidents:view'),
  handler: async (input, { deps }) => {
    const scope = scopeOf(input);
    const window = resolveWindow(input, {
      ...deps.limits,
      defaultWindowMinutes: 24 * 60,
      maxWindowHours: Math.max(deps.limits.maxWindowHours, 24 * 30),
    });
    const incidents = deps.incidents.queryIncidents({
      scope,
      window,
      limit: Math.min(input.limit, deps.limits.maxResults),
      sort: input.sort_order,
      ...(input.status ? { status: input.status } : {}),
    });
    return { scope, window: describeWindow(window), incidents };
  },
  summarize: (result) =>
    result.incidents
      .map(
        (incident) =>
          `${incident.id} ${incident.status} [${incident.severity}] ${incident.rule}: ${incident.summary} (${incident.alertCount} alerts)`,
      )
      .join('\n') || 'no incidents',
});

export const updateIncident = observabilityTool({
  name: 'update_incident',
  title: 'Update incident',
  description: 'Acknowledge or resolve an incident (open → acknowledged → resolved), with an optional note.',
  toolset: 'alerts',
  kind: 'write',
  idempotent: false,
  scope: SCOPES.observabilityWrite,
  input: z.object({ incident_id: z.uuid(), status: z.enum(['acknowledged', 'resolved']), note: z.string().max(500).optional() }),
  output: z.object({ incident: incidentView }),
  authorization: {
    action: 'incidents:update',
    target: (input, { deps }) => {
      const incident = deps.incidents.incident(input.incident_id);
      if (!incident) throw new NotFoundError(`incident ${input.incident_id}`, 'Take ids from query_incidents.');
      return telemetryTarget(incident.scope, deps.productionEnvironments);
    },
  },
  handler: async (input, { deps, subject }) => {
    const incident = deps.incidents.setStatus(input.incident_id, input.status, `${subject.type}:${subject.id}`, input.note);
    if (!incident) throw new NotFoundError(`incident ${input.incident_id}`);
    return { incident };
  },
  summarize: (result) => `incident ${result.incident.id} is ${result.incident.status}`,
});

export default [queryAlerts, queryIncidents, updateIncident];
