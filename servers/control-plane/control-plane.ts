import { SCOPES } from '../../shared/auth/scopes.js';
import type { PlaneConfig } from '../../shared/config/plane-config.js';
import { startPlane, type PlaneDescription, type RunningPlane } from '../../shared/http/start-plane.js';
import type { Logger } from '../../shared/telemetry/logger.js';
import { controlPlaneTools } from './tools/index.js';

/** The adapters control-plane tools use (the resource store arrives with the platform-resources work). */
export type ControlPlaneDeps = object;

export const CONTROL_PLANE_INSTRUCTIONS =
  'Manages internal developer platform resources: namespaces, projects, components, environments, releases, release bindings and workflow runs. ' +
  'Every call is authorized by the platform policy; a denial explains which binding decided. Call whoami to see what you may do.';

/** What this server is: its catalogue, scopes and adapters; `startPlane` does the rest. */
export function controlPlaneDescription(deps: ControlPlaneDeps): PlaneDescription<ControlPlaneDeps> {
  return {
    title: 'plane-mcp control plane',
    version: '0.1.0',
    instructions: CONTROL_PLANE_INSTRUCTIONS,
    baseScope: SCOPES.controlPlaneRead,
    scopesSupported: [SCOPES.controlPlaneRead, SCOPES.controlPlaneWrite],
    catalogue: controlPlaneTools,
    deps,
  };
}

export async function startControlPlane(config: PlaneConfig, logger?: Logger): Promise<RunningPlane> {
  return startPlane(config, controlPlaneDescription({}), logger);
}
