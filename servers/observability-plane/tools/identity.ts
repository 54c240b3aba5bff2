import { SCOPES } from '../../../shared/auth/scopes.js';
import { createWhoamiTool } from '../../../shared/tools/whoami.js';
import type { ObservabilityPlaneDeps } from '../deps.js';

/** Identity and access tools: `whoami`. */
export default [createWhoamiTool<ObservabilityPlaneDeps>(SCOPES.observabilityRead)];
