import { createLogger } from '../shared/telemetry/logger.js';
import { startControlPlane } from './control-plane/control-plane.js';
import { startDemoDataPlaneInProcess } from './demo-data-plane/start-in-process.js';
import { startIdentityProvider } from './identity-provider/create-identity-provider.js';
import { startObservabilityPlane } from './observability-plane/observability-plane.js';
import { printNextSteps } from './next-steps.js';
import { runUntilSignal } from './run-until-signal.js';
import { resolveStartConfig } from './start-config.js';

/**
 * `npm start`: the embedded identity provider (unless PLANE_EMBEDDED_IDP=false, for an external issuer),
 * both MCP servers and the demo data plane (unless PLANE_DEMO_DATA_PLANE=false) in one process, on the
 * embedded defaults. All configuration is resolved first, so a bad value stops it before anything listens.
 */
await runUntilSignal('plane-mcp', async () => {
  const config = resolveStartConfig(process.argv.slice(2), process.env);
  const running = [];
  if (config.identityProvider) {
    // Sign-ins, consents (granted, denied, withdrawn) and registrations, as structured lines; never a secret.
    const logger = createLogger({ name: 'identity-provider', level: config.controlPlane.logLevel });
    const log = (line: string, fields?: Record<string, unknown>) => logger.info(fields ?? {}, line);
    running.push(await startIdentityProvider({ ...config.identityProvider, log }));
  }
  const controlPlane = await startControlPlane(config.controlPlane);
  running.push(controlPlane);
  const observabilityPlane = await startObservabilityPlane(config.observabilityPlane);
  running.push(observabilityPlane);
  if (config.demoDataPlane) {
    running.push(
      startDemoDataPlaneInProcess({
        config: config.demoDataPlane,
        store: controlPlane.store,
        ...(observabilityPlane.otlp ? { otlp: observabilityPlane.otlp } : {}),
      }),
    );
  }
  printNextSteps({
    issuer: config.controlPlane.issuer,
    controlPlane: config.controlPlane.canonicalUrl,
    observabilityPlane: config.observabilityPlane.canonicalUrl,
    authDisabled: config.controlPlane.authDisabled,
  });
  return running;
});
