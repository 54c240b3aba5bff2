import { SCOPES } from '../../../shared/auth/scopes.js';
import { createWhoamiTool } from '../../../shared/tools/whoami.js';
import type { ControlPlaneDeps } from '../control-plane.js';

/** Identity and access tools: `whoami`. */
export default [createWhoamiTool<ControlPlaneDeps>(SCOPES.controlPlaneRead)];
