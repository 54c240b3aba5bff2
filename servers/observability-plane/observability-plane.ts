import { SCOPES } from '../../shared/auth/scopes.js';
import type { PlaneConfig } from '../../shared/config/plane-config.js';
import { startPlane, type PlaneDescription, type RunningPlane } from '../../shared/http/start-plane.js';
import type { Logger } from '../../shared/telemetry/logger.js';
import { observabilityPlaneTools } from './tools/index.js';

/** The adapters observability tools use (log, trace and metric backends arrive with the observability work). */
export type ObservabilityPlaneDeps = object;

export const OBSERVABILITY_PLANE_INSTRUCTIONS =
  'Answers questions about what runs on the platform: logs, metrics, traces, alerts and incidents, scoped to what the platform policy lets you see. ' +
  'Call whoami to see what you may do.';

/** What this server is: its catalogue, scopes and adapters; `startPlane` does the rest. */
export function observabilityPlaneDescription(deps: ObservabilityPlaneDeps): PlaneDescription<ObservabilityPlaneDeps> {
  return {
    title: 'plane-mcp observability plane',
    version: '0.1.0',
    instructions: OBSERVABILITY_PLANE_INSTRUCTIONS,
    baseScope: SCOPES.observabilityRead,
    scopesSupported: [SCOPES.observabilityRead],
    catalogue: observabilityPlaneTools,
    deps,
  };
}

export async function startObservabilityPlane(config: PlaneConfig, logger?: Logger): Promise<RunningPlane> {
  return startPlane(config, observabilityPlaneDescription({}), logger);
}
