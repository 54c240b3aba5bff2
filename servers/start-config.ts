import { booleanFlag, parseEnv } from '../shared/config/env.js';
import { resolveControlPlaneConfig, type ControlPlaneConfig } from './control-plane/control-plane-config.js';
import { resolveDemoDataPlaneConfig, type DemoDataPlaneConfig } from './demo-data-plane/demo-data-plane-config.js';
import { resolveIdentityProviderConfig, type IdentityProviderOptions } from './identity-provider/create-identity-provider.js';
import { resolveObservabilityPlaneConfig, type ObservabilityPlaneConfig } from './observability-plane/observability-config.js';

/** What `npm start` runs, every part resolved before the first one starts. */
export interface StartConfig {
  /** Absent with `PLANE_EMBEDDED_IDP=false` (an external issuer) or with authentication disabled. */
  identityProvider?: IdentityProviderOptions;
  controlPlane: ControlPlaneConfig;
  observabilityPlane: ObservabilityPlaneConfig;
  /** Absent with `PLANE_DEMO_DATA_PLANE=false`. */
  demoDataPlane?: DemoDataPlaneConfig;
}

/** `npm start`'s configuration. Pure; a bad value anywhere throws a `ConfigError` naming the variable before anything listens. */
export function resolveStartConfig(argv: string[], env: NodeJS.ProcessEnv): StartConfig {
  const { PLANE_EMBEDDED_IDP: embeddedIdentityProvider, PLANE_DEMO_DATA_PLANE: demoDataPlane } = parseEnv(
    { PLANE_EMBEDDED_IDP: booleanFlag.default(true), PLANE_DEMO_DATA_PLANE: booleanFlag.default(true) },
    env,
  );
  const controlPlane = resolveControlPlaneConfig(argv, env);
  const observabilityPlane = resolveObservabilityPlaneConfig(argv, env);
  // With authentication switched off (development, loopback only) no identity provider is needed.
  const identityProvider = embeddedIdentityProvider && !controlPlane.authDisabled ? resolveIdentityProviderConfig(env) : undefined;
  return {
    ...(identityProvider ? { identityProvider } : {}),
    controlPlane,
    observabilityPlane,
    ...(demoDataPlane ? { demoDataPlane: resolveDemoDataPlaneConfig(env) } : {}),
  };
}
