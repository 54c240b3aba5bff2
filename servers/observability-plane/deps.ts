import type { AuditStore } from '../../shared/audit/audit-event.js';
import type { IncidentStore } from './alerting/incident-store.js';
import type { TelemetryBackend } from './backends/telemetry-backend.js';
import type { QueryLimits } from './tools/support/query-arguments.js';

/** The adapters observability tools use, chosen at start-up by the composition root (`observability-plane.ts`). */
export interface ObservabilityPlaneDeps {
  telemetry: TelemetryBackend;
  incidents: IncidentStore;
  limits: QueryLimits;
  /** Environment names treated as production by policy conditions (PLANE_PRODUCTION_ENVIRONMENTS). */
  productionEnvironments: string[];
  /** This server's audit trail (`query_audit_events`); the plane writes every call to it. */
  audit: AuditStore;
}
