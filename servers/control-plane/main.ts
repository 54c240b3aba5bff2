import { resolvePlaneConfig } from '../../shared/config/plane-config.js';
import { runUntilSignal } from '../run-until-signal.js';
import { startControlPlane } from './control-plane.js';

await runUntilSignal('control-plane', async () => [
  await startControlPlane(resolvePlaneConfig('control-plane', process.argv.slice(2), process.env), { env: process.env }),
]);
