import { runUntilSignal } from '../run-until-signal.js';
import { resolveControlPlaneConfig } from './control-plane-config.js';
import { startControlPlane } from './control-plane.js';

await runUntilSignal('control-plane', async () => [await startControlPlane(resolveControlPlaneConfig(process.argv.slice(2), process.env))]);
