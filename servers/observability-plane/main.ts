import { resolvePlaneConfig } from '../../shared/config/plane-config.js';
import { runUntilSignal } from '../run-until-signal.js';
import { startObservabilityPlane } from './observability-plane.js';

await runUntilSignal('observability-plane', async () => [
  await startObservabilityPlane(resolvePlaneConfig('observability-plane', process.argv.slice(2), process.env), { env: process.env }),
]);
