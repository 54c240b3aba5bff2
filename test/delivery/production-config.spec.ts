import { spawn, type ChildProcess } from 'node:child_process';
import { resolveControlPlaneConfig } from '../../servers/control-plane/control-plane-config.js';
import { resolveObservabilityPlaneConfig } from '../../servers/observability-plane/observability-config.js';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { PlaneName } from '../../shared/config/plane-config.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { startControlPlane, type RunningControlPlane } from '../../servers/control-plane/control-plane.js';
import { PUBLIC_CLIENT_ID } from '../../servers/identity-provider/seed.js';
import { startObservabilityPlane, type RunningObservabilityPlane } from '../../servers/observability-plane/observability-plane.js';
import { discoverClient, makeTempDir, removeTempDir } from '../support/identity.js';
import { connectWithToken } from '../support/mcp-client.js';
import { freePort } from '../support/net.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { environmentOf, loadCompose } from './support/compose.js';
import { REPO_ROOT, signInAtKeycloak, startKeycloak, type RunningKeycloak } from './support/keycloak.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/round-robin-proxy.js';

/**
 * docker-compose.yml's configuration without containers: the services' own environment from the
 * compose file, with only the addresses changed to this machine's. Keycloak (the compose version, from
 * Maven Central) with the realm of deploy/keycloak/, two control-plane replicas on one PostgreSQL
 * database behind a round-robin gateway, the observability plane on the run's OpenSearch and
 * Prometheus, and the standalone demo data plane (servers/demo-data-plane/main.ts) feeding it.
 * PLANE_EMBEDDED_IDP=false: no embedded provider runs; every token comes from Keycloak.
 */

const compose = loadCompose();
const serviceEnv = (name: string) => environmentOf(compose.services[name]);

let keycloak: RunningKeycloak;
let database: TestDatabase;
let gateway: RoundRobinProxy;
const replicas: RunningControlPlane[] = [];
const replicaUrls: string[] = [];
let observabilityPlane: RunningObservabilityPlane;
let dataPlanePrometheus: RunningPrometheus;
let dataPlane: ChildProcess | undefined;
let dataPlaneLog = '';
const tempDirs: string[] = [];
const logLines: string[] = [];
const urls = { 'control-plane': '', 'observability-plane': '' } as Record<PlaneName, string>;
const indexPrefix = `delivery-${randomBytes(4).toString('hex')}`;

const logger = (name: string) =>
  createLogger({
    name,
    level: 'warn',
    destination: new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }),
  });

beforeAll(async () => {
  const [gatewayPort, observabilityPort, ...replicaPorts] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  urls['control-plane'] = `http://127.0.0.1:${gatewayPort}/mcp`;
  urls['observability-plane'] = `http://127.0.0.1:${observabilityPort}/mcp`;
  const publicUrls = { PLANE_CONTROL_PLANE_URL: urls['control-plane'], PLANE_OBSERVABILITY_PLANE_URL: urls['observability-plane'] };
  // The keycloak service's placeholders, filled with this run's URLs (compose fills them with its own).
  [keycloak, database, dataPlanePrometheus] = await Promise.all([
    startKeycloak({ realmEnv: publicUrls }),
    createTestDatabase(),
    startPrometheus(),
  ]);

  // What differs from compose: addresses (loopback, free ports), the data directories, and private
  // OpenSearch index prefixes so this file's telemetry stays apart from the other test files'.
  const telemetry = {
    PLANE_OPENSEARCH_URL: inject('opensearchUrl'),
    PLANE_PROMETHEUS_URL: inject('prometheusUrl'),
    PLANE_OPENSEARCH_LOG_INDEX_PREFIX: `${indexPrefix}-logs-`,
    PLANE_OPENSEARCH_TRACE_INDEX_PREFIX: `${indexPrefix}-traces-`,
  };
  const local = (service: string, extra: Record<string, string>): Record<string, string> => {
    const dataDir = makeTempDir('plane-mcp-delivery-');
    tempDirs.push(dataDir);
    return {
      ...serviceEnv(service),
      ...publicUrls,
      PLANE_ISSUER: keycloak.issuer,
      PLANE_BIND_HOST: '127.0.0.1',
      PLANE_DATA_DIR: dataDir,
      PLANE_DATABASE_URL: database.url,
      ...telemetry,
      ...extra,
    };
  };

  // control-plane-1 first (it loads the demo organisation into the empty database), then control-plane-2.
  for (const [index, service] of ['control-plane-1', 'control-plane-2'].entries()) {
    const env = local(service, { PLANE_CONTROL_PLANE_PORT: String(replicaPorts[index]) });
    expect(env.PLANE_EMBEDDED_IDP).toBe('false');
    expect(env.PLANE_STORE).toBe('postgres');
    replicas.push(await startControlPlane(resolveControlPlaneConfig([], env), { logger: logger(service) }));
    replicaUrls.push(`http://127.0.0.1:${replicaPorts[index]}`);
  }
  gateway = await startRoundRobinProxy(replicaUrls, gatewayPort);

  const observabilityEnv = local('observability-plane-1', { PLANE_OBSERVABILITY_PLANE_PORT: String(observabilityPort) });
  expect(observabilityEnv.PLANE_OBSERVABILITY_BACKEND).toBe('opensearch');
  observabilityPlane = await startObservabilityPlane(resolveObservabilityPlaneConfig([], observabilityEnv), {
    logger: logger('observability-plane-1'),
  });

  // The demo data plane as compose runs it: its own process, the store in PostgreSQL, logs and spans to
  // OpenSearch (this file's prefixes), metrics by remote write to a Prometheus of its own (its series
  // are the demo organisation's, which other test files query on the shared Prometheus).
  const dataPlaneEnv = { ...local('demo-data-plane', {}), PLANE_PROMETHEUS_URL: dataPlanePrometheus.url, PLANE_LOG_LEVEL: 'info' };
  dataPlane = spawn(process.execPath, ['--import', 'tsx', 'servers/demo-data-plane/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...dataPlaneEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => (dataPlaneLog = (dataPlaneLog + chunk.toString()).slice(-20_000));
  dataPlane.stdout?.on('data', keep);
  dataPlane.stderr?.on('data', keep);
}, 240_000);

// Stop in reverse order of start.
afterAll(async () => {
  if (dataPlane && dataPlane.exitCode === null) {
    const exited = new Promise((resolve) => dataPlane!.once('exit', resolve));
    dataPlane.kill('SIGTERM');
    await exited;
  }
  await observabilityPlane?.close();
  await gateway?.close();
  for (const replica of replicas.reverse()) await replica.close();
  await Promise.allSettled([keycloak?.stop(), database?.drop(), dataPlanePrometheus?.stop()]);
  for (const dir of tempDirs) removeTempDir(dir);
}, 60_000);

// ---- tokens from Keycloak ----
async function serviceToken(clientId: string, scope: string): Promise<string> {
  const secret = `${clientId}-secret`;
  const configuration = await discoverClient(keycloak.issuer, clientId, secret, oidc.ClientSecretBasic(secret));
  return (await oidc.clientCredentialsGrant(configuration, { scope })).access_token;
}

/** A person signs in through Keycloak's login form with the public PKCE client (a loopback redirect on an arbitrary port). */
async function userToken(username: string, scope: string): Promise<string> {
  const configuration = await discoverClient(keycloak.issuer, PUBLIC_CLIENT_ID);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authorizationUrl = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: 'http://127.0.0.1:53682/callback',
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const redirect = await signInAtKeycloak(authorizationUrl, { username, password: username });
  const tokens = await oidc.authorizationCodeGrant(configuration, redirect, { pkceCodeVerifier: verifier, expectedState: state });
  return tokens.access_token;
}

interface Whoami {
  subject: { type: string; id: string; name?: string };
  groups: string[];
  clientId: string;
  scopes: string[];
  roles: Array<{ role: string; binding: string }>;
}

async function withClient<T>(url: string, token: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectWithToken(new URL(url), token);
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError)
    throw new Error(`${name} failed: ${JSON.stringify(result.content)}\nlast server log lines:\n${logLines.slice(-5).join('')}`);
  return result.structuredContent as Record<string, unknown>;
}

const whoami = (url: string, token: string) =>
  withClient(url, token, async (client) => (await call(client, 'whoami')) as unknown as Whoami);

/** An MCP initialize request with a bearer token, raw: for the status and challenge of a refusal. */
async function rawInitialize(url: string, token: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
}

describe('the compose configuration with Keycloak, PostgreSQL, OpenSearch and Prometheus', () => {
  it('serves a service client by its client id, with the seeded role, on both servers', async () => {
    const controlToken = await serviceToken('ci-deployer', 'controlplane:read controlplane:write');
    const claims = decodeJwt(controlToken);
    expect(claims.iss).toBe(keycloak.issuer);
    expect(claims.aud).toBe(urls['control-plane']);
    const onControlPlane = await whoami(urls['control-plane'], controlToken);
    expect(onControlPlane.subject).toEqual({ type: 'service', id: 'ci-deployer' });
    expect(onControlPlane.clientId).toBe('ci-deployer');
    expect(onControlPlane.scopes).toEqual(expect.arrayContaining(['controlplane:read', 'controlplane:write']));
    expect(onControlPlane.roles.map((role) => role.role)).toContain('deployer');

    const observabilityToken = await serviceToken('sre-agent', 'observability:read');
    const onObservability = await whoami(urls['observability-plane'], observabilityToken);
    expect(onObservability.subject).toEqual({ type: 'service', id: 'sre-agent' });
    expect(onObservability.roles.map((role) => role.role)).toContain('sre-agent');
  });

  it("serves a person signed in at Keycloak (PKCE public client) with the realm's groups and the policy's roles", async () => {
    const token = await userToken('dev', 'openid controlplane:read controlplane:write');
    const onControlPlane = await whoami(urls['control-plane'], token);
    expect(onControlPlane.subject).toEqual({ type: 'user', id: 'dev', name: 'dev' });
    expect(onControlPlane.groups).toEqual(['developers']);
    expect(onControlPlane.clientId).toBe(PUBLIC_CLIENT_ID);
    expect(onControlPlane.roles.map((role) => role.binding)).toEqual(
      expect.arrayContaining(['developers', 'developers-no-production-release-changes']),
    );

    const sre = await whoami(urls['observability-plane'], await userToken('sre', 'observability:read'));
    expect(sre.subject).toMatchObject({ type: 'user', id: 'sre' });
    expect(sre.groups).toEqual(['sre']);
    expect(sre.roles.map((role) => role.role)).toContain('sre');
  });

  it("refuses a token whose audience is the other server (one server's scopes = that server's audience)", async () => {
    const forObservability = await serviceToken('sre-agent', 'observability:read');
    expect(decodeJwt(forObservability).aud).toBe(urls['observability-plane']);
    const refused = await rawInitialize(urls['control-plane'], forObservability);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/invalid_token.*audience/);

    const forControlPlane = await userToken('admin', 'controlplane:read');
    const refusedToo = await rawInitialize(urls['observability-plane'], forControlPlane);
    expect(refusedToo.status).toBe(401);
    expect(refusedToo.headers.get('www-authenticate')).toMatch(/invalid_token.*audience/);
  });

  it("documents Keycloak's limit: one request for both servers' scopes yields one token valid at both (no RFC 8707 binding)", async () => {
    const token = await serviceToken('readonly-assistant', 'controlplane:read observability:read');
    expect([decodeJwt(token).aud].flat().sort()).toEqual([urls['control-plane'], urls['observability-plane']].sort());
    expect((await whoami(urls['control-plane'], token)).subject.id).toBe('readonly-assistant');
    expect((await whoami(urls['observability-plane'], token)).subject.id).toBe('readonly-assistant');
  });

  it('shares one PostgreSQL database between the replicas: written through one, read through the other', async () => {
    const token = await userToken('platform', 'controlplane:read controlplane:write');
    const name = `delivery-${randomBytes(3).toString('hex')}`;
    const created = await withClient(`${replicaUrls[0]}/mcp`, token, (client) =>
      call(client, 'create_project', { namespace_name: 'default', name }),
    );
    const read = await withClient(`${replicaUrls[1]}/mcp`, token, (client) =>
      call(client, 'get_project', { namespace_name: 'default', project_name: name }),
    );
    const project = created.project as { resourceVersion: string };
    expect(read).toMatchObject({ name, namespace: 'default', resourceVersion: project.resourceVersion, changedBy: 'user:platform' });
  });

  it('needs no affinity: one conversation through the gateway alternates replicas on every request', async () => {
    const token = await serviceToken('ci-deployer', 'controlplane:read controlplane:write');
    for (const backend of gateway.served.keys()) gateway.served.set(backend, 0);
    await withClient(urls['control-plane'], token, async (client) => {
      for (let round = 0; round < 3; round++) {
        expect((await call(client, 'whoami')).subject).toEqual({ type: 'service', id: 'ci-deployer' });
        const listed = (await call(client, 'list_projects', { namespace_name: 'default' })) as { projects: Array<{ name: string }> };
        expect(listed.projects.map((project) => project.name)).toContain('gcp-microservice-demo');
      }
    });
    const counts = [...gateway.served.values()];
    expect(counts).toHaveLength(2);
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(3);
  });

  it('answers from OpenSearch what the standalone demo data plane wrote, and the data plane remote-writes metrics', async () => {
    const token = await serviceToken('sre-agent', 'observability:read');
    const scope = { namespace: 'default', project: 'gcp-microservice-demo', component: 'frontend' };
    const deadline = Date.now() + 45_000;
    let lines: unknown[] = [];
    await withClient(urls['observability-plane'], token, async (client) => {
      while (Date.now() < deadline && lines.length === 0) {
        const result = await client.callTool({ name: 'query_component_logs', arguments: { ...scope, limit: 5 } });
        // Until the data plane's first daily index has its shards, OpenSearch may answer "unavailable".
        if (result.isError && !JSON.stringify(result.content).includes('ERR_UPSTREAM_UNAVAILABLE'))
          throw new Error(JSON.stringify(result.content));
        if (!result.isError) lines = (result.structuredContent as { lines?: unknown[] }).lines ?? [];
        if (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    });
    expect(lines.length, `no frontend logs yet; demo data plane log:\n${dataPlaneLog.slice(-3_000)}`).toBeGreaterThan(0);
    const query = new URL('/api/v1/query', dataPlanePrometheus.url);
    query.searchParams.set('query', 'count(kube_pod_labels{label_openchoreo_dev_project="gcp-microservice-demo"})');
    let series = 0;
    while (Date.now() < deadline && series === 0) {
      const body = (await (await fetch(query)).json()) as { data: { result: Array<{ value: [number, string] }> } };
      series = Number(body.data.result[0]?.value[1] ?? 0);
      if (series === 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(series, `no pod series; demo data plane log:\n${dataPlaneLog.slice(-3_000)}`).toBeGreaterThan(0);
    expect(dataPlaneLog).toContain('demo data plane running');
  }, 60_000);
});
