import { appendFileSync, cpSync } from 'node:fs';
import { resolveControlPlaneConfig } from '../../servers/control-plane/control-plane-config.js';
import { resolveObservabilityPlaneConfig } from '../../servers/observability-plane/observability-config.js';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { PlaneConfig, PlaneName } from '../../shared/config/plane-config.js';
import type { RunningPlane } from '../../shared/http/start-plane.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { startControlPlane } from '../../servers/control-plane/control-plane.js';
import type { ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { startIdentityProvider, type RunningIdentityProvider } from '../../servers/identity-provider/create-identity-provider.js';
import { seededScopesFor } from '../../servers/identity-provider/seed.js';
import { startObservabilityPlane, type RunningObservabilityPlane } from '../../servers/observability-plane/observability-plane.js';
import { clientCredentialsToken, loginAsUser, makeTempDir, removeTempDir } from './identity.js';
import { freePort } from './net.js';
import { createNoteTools } from './note-tools.js';

const PLANE_SCOPES: Record<PlaneName, string> = {
  'control-plane': 'controlplane:read controlplane:write',
  'observability-plane': 'observability:read observability:write',
};

export interface TestPlane {
  url: URL;
  config: PlaneConfig;
  running: RunningPlane;
}

export interface TestObservabilityPlane extends TestPlane {
  running: RunningObservabilityPlane;
}

export interface TestStack {
  issuer: string;
  identityProvider: RunningIdentityProvider;
  dataDir: string;
  /** A private copy of `policies/`, so tests may edit it. */
  policyDir: string;
  controlPlane: TestPlane;
  /** The control plane's own store (the demo data plane reads and reports through it). */
  controlPlaneStore: ResourceStore;
  observabilityPlane: TestObservabilityPlane;
  /** The control plane's test-only notes (see note-tools.ts). */
  notes: Map<string, string>;
  /** A client-credentials access token for a seeded service client, for one server. */
  serviceToken(clientId: string, plane: PlaneName, scope?: string): Promise<string>;
  /** An access token for a seeded person, obtained through the login page (authorization code + PKCE). */
  userToken(user: string, plane: PlaneName, scope?: string): Promise<string>;
  /** Every structured log line both servers wrote. */
  logText(): string;
  close(): Promise<void>;
}

export interface TestStackOptions {
  /** Extra flags for the control plane (`--read-only`, `--toolsets=…`). */
  controlPlaneArgs?: string[];
  /** Text appended to the copies of policies/roles.yaml and policies/bindings.yaml (test-only roles and bindings). */
  policyOverlay?: { roles?: string; bindings?: string };
  /** Observability settings (`PLANE_OBSERVABILITY_BACKEND`, `PLANE_OPENSEARCH_URL`, `PLANE_ALERT_RULES_FILE` …). */
  observabilityEnv?: Record<string, string>;
  /** Store selection for the control plane (`PLANE_STORE`, `PLANE_DATABASE_URL`); SQLite by default. */
  storeEnv?: Record<string, string>;
}

/**
 * The real thing on free ports: the embedded identity provider, and both MCP servers with the
 * production composition root (`startPlane`). The control plane also serves the test-only note tools.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const dataDir = makeTempDir('plane-mcp-stack-');
  const policyDir = join(dataDir, 'policies');
  cpSync(resolve('policies'), policyDir, { recursive: true });
  if (options.policyOverlay?.roles) appendFileSync(join(policyDir, 'roles.yaml'), `\n${options.policyOverlay.roles}`);
  if (options.policyOverlay?.bindings) appendFileSync(join(policyDir, 'bindings.yaml'), `\n${options.policyOverlay.bindings}`);
  const [idpPort, cpPort, opPort] = [await freePort(), await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${idpPort}`;
  const urls = { 'control-plane': `http://127.0.0.1:${cpPort}/mcp`, 'observability-plane': `http://127.0.0.1:${opPort}/mcp` };
  const identityProvider = await startIdentityProvider({
    issuer,
    dataDir,
    resources: [
      { uri: urls['control-plane'], scopes: ['controlplane:read', 'controlplane:write'], name: 'control plane' },
      { uri: urls['observability-plane'], scopes: ['observability:read', 'observability:write'], name: 'observability plane' },
    ],
  });
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  const env = {
    PLANE_ISSUER: issuer,
    PLANE_CONTROL_PLANE_URL: urls['control-plane'],
    PLANE_OBSERVABILITY_PLANE_URL: urls['observability-plane'],
    PLANE_DATA_DIR: dataDir,
    PLANE_POLICY_DIR: policyDir,
    PLANE_LOG_LEVEL: 'info',
  };
  const notes = new Map<string, string>();
  const logger = (plane: PlaneName) => createLogger({ name: plane, destination });
  const controlPlaneConfig = resolveControlPlaneConfig(options.controlPlaneArgs ?? [], { ...env, ...options.storeEnv });
  const controlPlaneRunning = await startControlPlane(controlPlaneConfig, {
    logger: logger('control-plane'),
    additionalTools: createNoteTools(notes),
  });
  const controlPlane: TestPlane = { url: controlPlaneConfig.canonicalUrl, config: controlPlaneConfig, running: controlPlaneRunning };
  const observabilityPlaneConfig = resolveObservabilityPlaneConfig([], {
    ...env,
    PLANE_OTLP_PORT: String(await freePort()),
    PLANE_ALERT_INTERVAL_SECONDS: '3600',
    ...options.observabilityEnv,
  });
  const observabilityRunning = await startObservabilityPlane(observabilityPlaneConfig, {
    logger: logger('observability-plane'),
  });
  const observabilityPlane: TestObservabilityPlane = {
    url: observabilityPlaneConfig.canonicalUrl,
    config: observabilityPlaneConfig,
    running: observabilityRunning,
  };
  return {
    issuer,
    identityProvider,
    dataDir,
    policyDir,
    controlPlane,
    controlPlaneStore: controlPlaneRunning.store,
    observabilityPlane,
    notes,
    serviceToken: async (clientId, plane, scope) =>
      (
        await clientCredentialsToken({
          issuer,
          clientId,
          resource: urls[plane],
          scope: scope ?? seededScopesFor(clientId, PLANE_SCOPES[plane].split(' ')).join(' '),
        })
      ).access_token,
    userToken: async (user, plane, scope) =>
      (await loginAsUser({ issuer, username: user, resource: urls[plane], scope: scope ?? PLANE_SCOPES[plane] })).tokens.access_token,
    logText: () => lines.join(''),
    async close() {
      await Promise.allSettled([controlPlane.running.close(), observabilityPlane.running.close()]);
      await identityProvider.close();
      removeTempDir(dataDir);
    },
  };
}
