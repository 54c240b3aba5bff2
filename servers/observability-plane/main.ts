import { runUntilSignal } from '../run-until-signal.js';
import { resolveObservabilityPlaneConfig } from './observability-config.js';
import { startObservabilityPlane } from './observability-plane.js';

await runUntilSignal('observability-plane', async () => [
  await startObservabilityPlane(resolveObservabilityPlaneConfig(process.argv.slice(2), process.env)),
]);
