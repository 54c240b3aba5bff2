import { createLogger } from '../../shared/telemetry/logger.js';
import { runUntilSignal } from '../run-until-signal.js';
import { resolveIdentityProviderConfig, startIdentityProvider } from './create-identity-provider.js';

/** Standalone identity provider: `tsx servers/identity-provider/main.ts`, configured by PLANE_* variables. */
await runUntilSignal('identity-provider', async () => {
  const logger = createLogger({ name: 'identity-provider' });
  const options = resolveIdentityProviderConfig(process.env);
  return [await startIdentityProvider({ ...options, log: (line, fields) => logger.info(fields ?? {}, line) })];
});
