import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import { parseEnv } from '../shared/config/env.js';
import { planeEnvironment } from '../shared/config/plane-config.js';
import { clientSecretVariable } from './identity-provider/identity-provider-config.js';
import { devClientSecret, seededScopesFor } from './identity-provider/seed.js';

/**
 * Print a client-credentials access token for a seeded service client and one server:
 *   npm run token -- --client ci-deployer --server control-plane
 * The secret comes from PLANE_CLIENT_SECRET_<CLIENT> or the dev default `<client>-secret`.
 */
const { values } = parseArgs({
  options: {
    client: { type: 'string', default: 'readonly-assistant' },
    server: { type: 'string', default: 'control-plane' },
    scope: { type: 'string' },
  },
});
const env = parseEnv(planeEnvironment, process.env);
const servers: Record<string, { url: string; scope: string }> = {
  'control-plane': { url: env.PLANE_CONTROL_PLANE_URL, scope: 'controlplane:read controlplane:write' },
  'observability-plane': { url: env.PLANE_OBSERVABILITY_PLANE_URL, scope: 'observability:read observability:write' },
};
const target = servers[values.server];
if (!target) {
  process.stderr.write(`--server must be one of ${Object.keys(servers).join(', ')}\n`);
  process.exit(2);
}
const clientId = values.client;
const secret = process.env[clientSecretVariable(clientId)] ?? devClientSecret(clientId);
const issuer = new URL(env.PLANE_ISSUER);
const configuration = await client.discovery(
  issuer,
  clientId,
  secret,
  undefined,
  issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {},
);
const scope = values.scope ?? seededScopesFor(clientId, target.scope.split(' ')).join(' ');
const tokens = await client.clientCredentialsGrant(configuration, { scope, resource: target.url });
process.stdout.write(`${tokens.access_token}\n`);
