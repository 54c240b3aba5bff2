import { SCOPES } from '../../../shared/auth/scopes.js';
import { createAuditEventsTool } from '../../../shared/tools/audit-events.js';
import type { ControlPlaneDeps } from '../deps.js';

/** `query_audit_events` over the control plane's audit store (SQLite or PostgreSQL, with the resources). */
export const queryAuditEvents = createAuditEventsTool<ControlPlaneDeps>({
  scope: SCOPES.controlPlaneRead,
  store: (deps) => deps.store.audit,
});

export default [queryAuditEvents];
