import type { AnyToolDefinition } from '../../../shared/tools/define-tool.js';
import type { ObservabilityPlaneDeps } from '../observability-plane.js';
import identity from './identity.js';

/** Every observability-plane tool, one family file each. */
export const observabilityPlaneTools: AnyToolDefinition<ObservabilityPlaneDeps>[] = [...identity];
