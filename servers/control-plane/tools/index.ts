import type { AnyToolDefinition } from '../../../shared/tools/define-tool.js';
import type { ControlPlaneDeps } from '../control-plane.js';
import identity from './identity.js';

/** Every control-plane tool, one family file each. */
export const controlPlaneTools: AnyToolDefinition<ControlPlaneDeps>[] = [...identity];
