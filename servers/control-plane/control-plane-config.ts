import { booleanFlag, parseEnv } from '../../shared/config/env.js';
import { resolvePlaneConfig, type PlaneConfig } from '../../shared/config/plane-config.js';
import { resolveStoreConfig, type StoreConfig } from './store/create-store.js';

/** Everything the control-plane process needs, resolved before anything starts. */
export interface ControlPlaneConfig extends PlaneConfig {
  plane: 'control-plane';
  store: StoreConfig;
  /** Load the demo organisation into an empty store at start-up (`PLANE_LOAD_DEMO`). */
  loadDemo: boolean;
}

/** The control plane's configuration from CLI flags and environment variables. Pure; a bad value throws a `ConfigError` naming it. */
export function resolveControlPlaneConfig(argv: string[], env: NodeJS.ProcessEnv): ControlPlaneConfig {
  const server = resolvePlaneConfig('control-plane', argv, env);
  const { PLANE_LOAD_DEMO: loadDemo } = parseEnv({ PLANE_LOAD_DEMO: booleanFlag.default(true) }, env);
  return { ...server, plane: 'control-plane', store: resolveStoreConfig(env, server.dataDir), loadDemo };
}
