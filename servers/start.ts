import { parseEnv, booleanFlag } from '../shared/config/env.js';
import { resolvePlaneConfig } from '../shared/config/plane-config.js';
import { createLogger } from '../shared/telemetry/logger.js';
import { startControlPlane } from './control-plane/control-plane.js';
import { identityProviderOptionsFromEnv, startIdentityProvider } from './identity-provider/create-identity-provider.js';
import { startObservabilityPlane } from './observability-plane/observability-plane.js';
import { startDemoDataPlaneFromEnv } from './demo-data-plane/start-from-env.js';
import { runUntilSignal } from './run-until-signal.js';
import { printNextSteps } from './next-steps.js';

/**
 * `npm start`: the embedded identity provider (unless PLANE_EMBEDDED_IDP=false, for an external issuer),
 * both MCP servers and the demo data plane (unless PLANE_DEMO_DATA_PLANE=false) in one process, on the
 * embedded defaults.
 */
await runUntilSignal('plane-mcp', async () => {
  const argv = process.argv.slice(2);
  const { PLANE_EMBEDDED_IDP: embeddedIdentityProvider, PLANE_DEMO_DATA_PLANE: demoDataPlane } = parseEnv(
    { PLANE_EMBEDDED_IDP: booleanFlag.default(true), PLANE_DEMO_DATA_PLANE: booleanFlag.default(true) },
    process.env,
  );
  const controlPlaneConfig = resolvePlaneConfig('control-plane', argv, process.env);
  const observabilityPlaneConfig = resolvePlaneConfig('observability-plane', argv, process.env);
  const running = [];
  // With authentication switched off (development, loopback only) no identity provider is needed.
  if (embeddedIdentityProvider && !controlPlaneConfig.authDisabled) {
    // Sign-ins, consents (granted, denied, withdrawn) and registrations, as structured lines; never a secret.
    const logger = createLogger({ name: 'identity-provider', level: controlPlaneConfig.logLevel });
    const log = (line: string, fields?: Record<string, unknown>) => logger.info(fields ?? {}, line);
    running.push(await startIdentityProvider({ ...identityProviderOptionsFromEnv(process.env), log }));
  }
  const controlPlane = await startControlPlane(controlPlaneConfig, { env: process.env });
  running.push(controlPlane);
  const observabilityPlane = await startObservabilityPlane(observabilityPlaneConfig, { env: process.env });
  running.push(observabilityPlane);
  if (demoDataPlane)
    running.push(startDemoDataPlaneFromEnv({ controlPlane, observabilityPlane, env: process.env, config: observabilityPlaneConfig }));
  printNextSteps({
    issuer: controlPlaneConfig.issuer,
    controlPlane: controlPlaneConfig.canonicalUrl,
    observabilityPlane: observabilityPlaneConfig.canonicalUrl,
    authDisabled: controlPlaneConfig.authDisabled,
  });
  return running;
});
