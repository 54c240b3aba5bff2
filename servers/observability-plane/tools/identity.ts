import { SCOPES } from '../../../shared/auth/scopes.js';
import { createAuditEventsTool } from '../../../shared/tools/audit-events.js';
import { createWhoamiTool } from '../../../shared/tools/whoami.js';
import type { ObservabilityPlaneDeps } from '../deps.js';

/** Identity and access tools: `whoami`, and `query_audit_events` over this server's own audit trail. */
export default [
  createWhoamiTool<ObservabilityPlaneDeps>(SCOPES.observabilityRead),
  createAuditEventsTool<ObservabilityPlaneDeps>({ scope: SCOPES.observabilityRead, store: (deps) => deps.audit }),
];
