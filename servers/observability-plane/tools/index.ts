import type { AnyToolDefinition } from '../../../shared/tools/define-tool.js';
import type { ObservabilityPlaneDeps } from '../deps.js';
import alerts from './alerts.js';
import diagnose from './diagnose.js';
import identity from './identity.js';
import logs from './logs.js';
import metrics from './metrics.js';
import traces from './traces.js';

/** Every observability tool, one family file each. */
export const observabilityPlaneTools: AnyToolDefinition<ObservabilityPlaneDeps>[] = [
  ...logs,
  ...traces,
  ...metrics,
  ...alerts,
  ...diagnose,
  ...identity,
];
