import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { booleanFlag } from '../../shared/config/env.js';
import { planeEnvironment, resolvePlaneConfig, type PlaneConfig, type PlaneName } from '../../shared/config/plane-config.js';
import { resolveStoreConfig, storeEnvironment } from '../../servers/control-plane/store/create-store.js';
import { clientSecretVariable, resolveIdentityProviderConfig } from '../../servers/identity-provider/identity-provider-config.js';
import {
  devClientSecret,
  PUBLIC_CLIENT_ID,
  PUBLIC_CLIENT_REDIRECT_URIS,
  SEEDED_SERVICE_CLIENTS,
  SEEDED_USERS,
} from '../../servers/identity-provider/seed.js';
import { observabilityEnvironment, resolveObservabilityConfig } from '../../servers/observability-plane/observability-config.js';
import {
  commandOf,
  dependenciesOf,
  environmentOf,
  loadCompose,
  publishedPorts,
  resolvePlaceholders,
  type ComposeService,
} from './support/compose.js';
import { REPO_ROOT } from './support/keycloak.js';

/**
 * docker-compose.yml cannot run here (no container engine), so this keeps it honest statically:
 * images, ports, every PLANE_* variable against the code's own schemas and parsers, depends_on,
 * the gateway's routing, and the Keycloak realm against the embedded provider's seed.
 */

const compose = loadCompose();
const services = compose.services;
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const packageVersion = (JSON.parse(read('package.json')) as { version: string }).version;

const PLANE_SCRIPTS: Record<string, PlaneName | 'demo-data-plane'> = {
  'servers/control-plane/main.ts': 'control-plane',
  'servers/observability-plane/main.ts': 'observability-plane',
  'servers/demo-data-plane/main.ts': 'demo-data-plane',
};

const ourServices = Object.entries(services).filter(([, service]) => service.build !== undefined);
const planeServices = (plane: PlaneName) => ourServices.filter(([, service]) => PLANE_SCRIPTS[commandOf(service).script] === plane);
const mcpServices = [...planeServices('control-plane'), ...planeServices('observability-plane')];

/** PLANE_* variables read outside the exported schemas (inline parseEnv calls); each must occur in servers/. */
const READ_INLINE = ['PLANE_LOAD_DEMO', 'PLANE_EMBEDDED_IDP', 'PLANE_DEMO_DATA_PLANE', 'PLANE_ACCESS_TOKEN_TTL_SECONDS'];
const KNOWN_VARIABLES = new Set([
  ...Object.keys(planeEnvironment),
  ...Object.keys(storeEnvironment),
  ...Object.keys(observabilityEnvironment),
  ...SEEDED_SERVICE_CLIENTS.map((client) => clientSecretVariable(client.clientId)),
  ...READ_INLINE,
]);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function configOf(name: string, service: ComposeService): PlaneConfig {
  const plane = PLANE_SCRIPTS[commandOf(service).script];
  if (plane !== 'control-plane' && plane !== 'observability-plane') throw new Error(`${name} runs no MCP server`);
  return resolvePlaneConfig(plane, commandOf(service).args, environmentOf(service));
}

// ---- haproxy.cfg: sections with their directives ----
interface ProxySection {
  kind: string;
  name: string;
  lines: string[];
}
function proxySections(): ProxySection[] {
  const sections: ProxySection[] = [];
  for (const raw of read('deploy/haproxy/haproxy.cfg').split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const header = /^(global|defaults|frontend|backend|listen|resolvers)\b\s*(\S*)/.exec(line);
    if (header && !raw.startsWith(' ')) sections.push({ kind: header[1] as string, name: header[2] ?? '', lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  return sections;
}
const proxy = proxySections();
const gatewayRoute = (port: number) => {
  const frontend = proxy.find(
    (section) => section.kind === 'frontend' && section.lines.some((line) => new RegExp(`^bind\\s+\\S*:${port}\\b`).test(line)),
  );
  const backendName = frontend?.lines.find((line) => line.startsWith('default_backend'))?.split(/\s+/)[1];
  return proxy.find((section) => section.kind === 'backend' && section.name === backendName);
};
const serversOf = (backend: ProxySection | undefined) =>
  (backend?.lines ?? []).filter((line) => line.startsWith('server ')).map((line) => line.split(/\s+/)[2] as string);

// ---- the Keycloak realm ----
interface Mapper {
  protocolMapper: string;
  config: Record<string, string>;
}
interface Realm {
  realm: string;
  groups: Array<{ name: string; path?: string }>;
  users: Array<{
    id?: string;
    username: string;
    enabled: boolean;
    groups?: string[];
    credentials?: Array<{ type: string; value: string; temporary?: boolean }>;
  }>;
  clients: Array<{
    clientId: string;
    secret?: string;
    publicClient?: boolean;
    serviceAccountsEnabled?: boolean;
    standardFlowEnabled?: boolean;
    directAccessGrantsEnabled?: boolean;
    implicitFlowEnabled?: boolean;
    redirectUris?: string[];
    attributes?: Record<string, string>;
    defaultClientScopes?: string[];
    optionalClientScopes?: string[];
  }>;
  clientScopes: Array<{ name: string; protocolMappers?: Mapper[] }>;
}
const keycloakEnv = environmentOf(services.keycloak);
/** The realm with its `${VAR:default}` placeholders filled from the keycloak service's environment, as Keycloak does on import. */
const realm = JSON.parse(resolvePlaceholders(read('deploy/keycloak/plane-realm.json'), keycloakEnv)) as Realm;
const clientScope = (name: string) => realm.clientScopes.find((scope) => scope.name === name);

describe('docker-compose.yml', () => {
  it('pins every image to a release (no latest, no bare major) and builds ours from the Dockerfile', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toBeTypeOf('string');
      const [repository, tag] = (service.image as string).split(/:(?=[^/:]+$)/);
      expect(repository, name).toBeTruthy();
      // major.minor.patch (PostgreSQL releases are major.minor); never latest or a bare major.
      const release = repository === 'postgres' ? /^\d+\.\d+(-[a-z0-9.]+)?$/ : /^v?\d+\.\d+\.\d+(-[a-z0-9.]+)?$/;
      expect(tag, `${name}: ${service.image}`).toMatch(release);
      if (service.build !== undefined) {
        expect(service.build, name).toBe('.');
        expect(service.image, name).toBe(`plane-mcp:${packageVersion}`);
      }
    }
    expect(ourServices.map(([name]) => name).sort()).toEqual([
      'control-plane-1',
      'control-plane-2',
      'demo-data-plane',
      'observability-plane-1',
      'observability-plane-2',
    ]);
  });

  it('runs a script that exists in every service built from the Dockerfile', () => {
    for (const [name, service] of ourServices) {
      const { script } = commandOf(service);
      expect(PLANE_SCRIPTS[script], `${name}: ${script}`).toBeDefined();
      expect(existsSync(join(REPO_ROOT, script)), script).toBe(true);
    }
  });

  it('publishes ports on 127.0.0.1 only, each host port once', () => {
    const seen = new Set<number>();
    for (const [name, service] of Object.entries(services)) {
      for (const port of publishedPorts(service)) {
        expect(port.hostIp, `${name} ${port.host}`).toBe('127.0.0.1');
        expect(seen.has(port.host), `host port ${port.host} published twice`).toBe(false);
        seen.add(port.host);
      }
      if (service.network_mode) expect(service.ports, `${name} shares a network namespace and cannot publish`).toBeUndefined();
    }
  });

  it('sets only PLANE_* variables the code reads, each documented in README.md', () => {
    const sources = sourceFiles(join(REPO_ROOT, 'servers'))
      .map((path) => readFileSync(path, 'utf8'))
      .join('\n');
    for (const name of READ_INLINE) expect(sources, `${name} is read in servers/`).toContain(`${name}:`);
    const readme = read('README.md');
    for (const [serviceName, service] of Object.entries(services)) {
      for (const variable of Object.keys(environmentOf(service)).filter((key) => key.startsWith('PLANE_'))) {
        expect(KNOWN_VARIABLES.has(variable), `${serviceName}: ${variable} is not a variable the code reads`).toBe(true);
        expect(readme, `${variable} in README's configuration table`).toContain(variable);
      }
    }
  });

  it("configures each MCP replica through the code's own parsers: Keycloak issuer, PostgreSQL, OpenSearch + Prometheus", () => {
    expect(planeServices('control-plane')).toHaveLength(2);
    expect(planeServices('observability-plane')).toHaveLength(2);
    const issuer = `${keycloakEnv.KC_HOSTNAME}/realms/${realm.realm}`;
    for (const [name, service] of mcpServices) {
      const env = environmentOf(service);
      const config = configOf(name, service);
      expect(config.issuer, name).toBe(issuer);
      expect(booleanFlag.parse(env.PLANE_EMBEDDED_IDP), `${name}: PLANE_EMBEDDED_IDP`).toBe(false);
      expect(config.bindHost, name).toBe('0.0.0.0');
      // Hosts that reach a replica: clients through the gateway, the gateway's checks, the healthcheck, Prometheus.
      expect(config.allowedHosts, name).toEqual(
        expect.arrayContaining([config.canonicalUrl.hostname, 'localhost', '127.0.0.1', 'gateway']),
      );
      expect(config.canonicalUrl.href, name).toBe(
        env[config.plane === 'control-plane' ? 'PLANE_CONTROL_PLANE_URL' : 'PLANE_OBSERVABILITY_PLANE_URL'],
      );
      expect(config.port, `${name} listens on its own port, not the public one`).not.toBe(Number(config.canonicalUrl.port));
      if (config.plane === 'control-plane') {
        expect(resolveStoreConfig(env, config.dataDir), name).toEqual({
          backend: 'postgres',
          url: 'postgresql://plane:plane@postgres:5432/plane',
        });
      } else {
        const observability = resolveObservabilityConfig(env, config.dataDir);
        expect(observability.backend, name).toMatchObject({
          kind: 'opensearch',
          opensearch: { url: 'http://opensearch:9200' },
          prometheusUrl: 'http://prometheus:9090',
        });
        expect(observability.otlp, `${name}: no OTLP ingest with OpenSearch`).toBeUndefined();
      }
      const healthcheck = (service.healthcheck?.test ?? []) as string[];
      expect(healthcheck.join(' '), name).toContain(`http://127.0.0.1:${config.port}/healthz`);
    }
    // Replicas of one plane are interchangeable: the same canonical URL (audience), distinct ports.
    for (const plane of ['control-plane', 'observability-plane'] as const) {
      const configs = planeServices(plane).map(([name, service]) => configOf(name, service));
      expect(new Set(configs.map((config) => config.canonicalUrl.href)).size, plane).toBe(1);
      expect(new Set(configs.map((config) => config.port)).size, plane).toBe(configs.length);
    }
    // Both planes agree on the other's URL (the embedded provider and the metadata use both).
    const [controlPlane, observabilityPlane] = [planeServices('control-plane')[0], planeServices('observability-plane')[0]];
    const cp = configOf(controlPlane![0], controlPlane![1]);
    const op = configOf(observabilityPlane![0], observabilityPlane![1]);
    expect(cp.peerUrl.href).toBe(op.canonicalUrl.href);
    expect(op.peerUrl.href).toBe(cp.canonicalUrl.href);
  });

  it('points the demo data plane at the same store and backends as the servers', () => {
    const [[, dataPlane]] = planeServicesOf('demo-data-plane');
    const env = environmentOf(dataPlane);
    const [[, controlPlane]] = planeServices('control-plane') as [[string, ComposeService]];
    const [[, observabilityPlane]] = planeServices('observability-plane') as [[string, ComposeService]];
    expect(resolveStoreConfig(env, '/var/lib/plane-mcp')).toEqual(resolveStoreConfig(environmentOf(controlPlane), '/var/lib/plane-mcp'));
    expect(resolveObservabilityConfig(env, '/var/lib/plane-mcp').backend).toEqual(
      resolveObservabilityConfig(environmentOf(observabilityPlane), '/var/lib/plane-mcp').backend,
    );
    expect(dataPlane.healthcheck?.disable, 'no HTTP server to probe').toBe(true);
    // Backend URLs name compose services listening on those ports.
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'opensearch', 'prometheus']));
  });

  it('makes the issuer one URL for the browser and the servers: the gateway forwards it to Keycloak, the replicas share its network', () => {
    const gateway = services.gateway as ComposeService;
    const issuer = new URL(configOf(mcpServices[0]![0], mcpServices[0]![1]).issuer);
    expect(keycloakEnv.KC_HOSTNAME).toBe(issuer.origin);
    expect(issuer.hostname).toBe('localhost');
    expect(publishedPorts(gateway).map((port) => port.host)).toContain(Number(issuer.port));
    for (const [name, service] of mcpServices) expect(service.network_mode, name).toBe('service:gateway');
    expect(serversOf(gatewayRoute(Number(issuer.port)))).toEqual([`keycloak:${keycloakEnv.KC_HTTP_PORT ?? '8080'}`]);
    const keycloak = services.keycloak as ComposeService;
    expect(commandOf(keycloak)).toEqual({ script: 'start-dev', args: ['--import-realm'] });
    expect(keycloak.volumes).toContain('./deploy/keycloak/plane-realm.json:/opt/keycloak/data/import/plane-realm.json:ro');
    expect(booleanFlag.parse(keycloakEnv.KC_HEALTH_ENABLED ?? 'false'), 'the healthcheck reads /health/ready').toBe(true);
  });

  it('routes each public MCP port round robin to both replicas, with no affinity', () => {
    for (const plane of ['control-plane', 'observability-plane'] as const) {
      const replicas = planeServices(plane).map(([name, service]) => configOf(name, service));
      const publicPort = Number(replicas[0]!.canonicalUrl.port);
      expect(
        publishedPorts(services.gateway as ComposeService).map((port) => port.host),
        plane,
      ).toContain(publicPort);
      const backend = gatewayRoute(publicPort);
      expect(backend, `a frontend on :${publicPort}`).toBeDefined();
      expect(backend!.lines, plane).toContain('balance roundrobin');
      expect(serversOf(backend).sort(), plane).toEqual(replicas.map((config) => `127.0.0.1:${config.port}`).sort());
      for (const line of backend!.lines)
        expect(line, `${plane}: no stickiness`).not.toMatch(/^(cookie|stick|hash-type|balance\s+(source|uri|hdr|url_param|rdp-cookie))\b/);
      // The active check asks /readyz with a Host the replicas accept.
      expect(backend!.lines.join('\n')).toMatch(/uri \/readyz .*hdr Host localhost/);
    }
  });

  it('names only existing services with healthchecks in depends_on', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries(dependenciesOf(service))) {
        const target = services[dependency];
        expect(target, `${name} depends on ${dependency}`).toBeDefined();
        expect(condition, `${name} -> ${dependency}`).toBe('service_healthy');
        expect(target!.healthcheck?.test, `${dependency} has a healthcheck`).toBeDefined();
        expect(target!.healthcheck?.disable, dependency).not.toBe(true);
      }
      if (service.network_mode?.startsWith('service:'))
        expect(dependenciesOf(service)).toHaveProperty(service.network_mode.slice('service:'.length));
    }
    // The MCP servers wait for the issuer (they read its metadata at start-up).
    for (const [name, service] of mcpServices) expect(dependenciesOf(service), name).toHaveProperty('keycloak', 'service_healthy');
  });

  it('mounts files that exist and declares its named volumes', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source;
        if (source.startsWith('./')) expect(existsSync(join(REPO_ROOT, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes ?? {}, `${name}: volume ${source}`).toHaveProperty(source);
      }
    }
  });

  it('runs Prometheus with the remote-write receiver and the config in deploy/prometheus', () => {
    const prometheus = services.prometheus as ComposeService;
    const flags = commandOf(prometheus);
    const all = [flags.script, ...flags.args];
    expect(all).toContain('--web.enable-remote-write-receiver');
    expect(all).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(prometheus.volumes).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets));
    const replicaPorts = mcpServices.map(([name, service]) => `gateway:${configOf(name, service).port}`);
    expect(targets.sort()).toEqual(replicaPorts.sort());
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('runs as a non-root user from a pinned base, with a healthcheck on /healthz', () => {
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(base).toMatch(/^node:\d+\.\d+\.\d+-[a-z-]+$/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "deploy\/healthcheck\.mjs"\]$/m);
    expect(read('deploy/healthcheck.mjs')).toContain('/healthz');
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^CMD \["servers\/control-plane\/main\.ts"\]$/m);
    // Everything the image copies exists, and .dockerignore keeps none of it out.
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      expect(existsSync(join(REPO_ROOT, source!)), source).toBe(true);
      expect(ignored, source).not.toContain(source);
    }
  });
});

describe('deploy/keycloak/plane-realm.json', () => {
  const seededGroups = [...new Set(SEEDED_USERS.flatMap((user) => user.groups))].sort();

  it('holds the seeded groups and people (sub = user name, password = user name, same groups)', () => {
    expect(realm.groups.map((group) => group.name).sort()).toEqual(seededGroups);
    expect(realm.users.map((user) => user.username).sort()).toEqual(SEEDED_USERS.map((user) => user.name).sort());
    for (const seeded of SEEDED_USERS) {
      const user = realm.users.find((candidate) => candidate.username === seeded.name)!;
      // The token's `sub` is the user id: the same as the embedded provider's, so `user:<name>` bindings match.
      expect(user.id, seeded.name).toBe(seeded.name);
      expect(user.enabled, seeded.name).toBe(true);
      expect(user.groups?.map((path) => path.replace(/^\//, '')).sort(), seeded.name).toEqual([...seeded.groups].sort());
      expect(user.credentials, seeded.name).toEqual([{ type: 'password', value: seeded.name, temporary: false }]);
    }
  });

  it('holds the seeded service clients with their dev secrets and exactly the scopes each may hold', () => {
    const serviceClients = realm.clients.filter((client) => client.serviceAccountsEnabled);
    expect(serviceClients.map((client) => client.clientId).sort()).toEqual(SEEDED_SERVICE_CLIENTS.map((client) => client.clientId).sort());
    for (const seeded of SEEDED_SERVICE_CLIENTS) {
      const client = realm.clients.find((candidate) => candidate.clientId === seeded.clientId)!;
      expect(client.secret, seeded.clientId).toBe(devClientSecret(seeded.clientId));
      expect(client.publicClient, seeded.clientId).toBe(false);
      expect(client.standardFlowEnabled, seeded.clientId).toBe(false);
      expect(client.directAccessGrantsEnabled, seeded.clientId).toBe(false);
      expect(client.optionalClientScopes?.slice().sort(), seeded.clientId).toEqual([...seeded.scopes].sort());
      // preferred_username `service-account-<id>` and client_id: how the servers recognise a service (shared/auth/subject.ts).
      expect(client.defaultClientScopes, seeded.clientId).toEqual(expect.arrayContaining(['basic', 'profile', 'service_account']));
    }
  });

  it('holds the public PKCE client with the embedded provider redirects, and no other client', () => {
    expect(realm.clients.map((client) => client.clientId).sort()).toEqual(
      [...SEEDED_SERVICE_CLIENTS.map((client) => client.clientId), PUBLIC_CLIENT_ID].sort(),
    );
    const client = realm.clients.find((candidate) => candidate.clientId === PUBLIC_CLIENT_ID)!;
    expect(client.publicClient).toBe(true);
    expect(client.standardFlowEnabled).toBe(true);
    expect(client.implicitFlowEnabled).toBe(false);
    expect(client.directAccessGrantsEnabled).toBe(false);
    expect(client.serviceAccountsEnabled).toBe(false);
    expect(client.attributes?.['pkce.code.challenge.method']).toBe('S256');
    expect(client.redirectUris?.slice().sort()).toEqual([...PUBLIC_CLIENT_REDIRECT_URIS].sort());
    expect(client.defaultClientScopes).toEqual(expect.arrayContaining(['basic', 'profile', 'groups']));
    expect(client.optionalClientScopes?.slice().sort()).toEqual([
      'controlplane:read',
      'controlplane:write',
      'observability:read',
      'observability:write',
    ]);
  });

  it("gives each server's scopes an audience mapper for that server's URL, as the embedded provider's resources", () => {
    const [[, controlPlane]] = planeServices('control-plane') as [[string, ComposeService]];
    // The embedded provider's own reading of the same URLs: the resources (audience + scopes) it would serve.
    const { resources } = resolveIdentityProviderConfig({
      PLANE_CONTROL_PLANE_URL: environmentOf(controlPlane).PLANE_CONTROL_PLANE_URL,
      PLANE_OBSERVABILITY_PLANE_URL: environmentOf(controlPlane).PLANE_OBSERVABILITY_PLANE_URL,
    });
    expect(resources).toHaveLength(2);
    for (const resource of resources) {
      for (const scope of resource.scopes) {
        const audiences = (clientScope(scope)?.protocolMappers ?? [])
          .filter((mapper) => mapper.protocolMapper === 'oidc-audience-mapper')
          .map((mapper) => mapper.config);
        expect(audiences, scope).toHaveLength(1);
        expect(audiences[0]!['included.custom.audience'], scope).toBe(resource.uri);
        expect(audiences[0]!['access.token.claim'], scope).toBe('true');
      }
    }
    // The keycloak service fills the placeholders with the servers' own URLs.
    for (const variable of ['PLANE_CONTROL_PLANE_URL', 'PLANE_OBSERVABILITY_PLANE_URL']) {
      expect(keycloakEnv[variable], variable).toBe(environmentOf(controlPlane)[variable]);
    }
  });

  it("maps groups (without the leading /) to the servers' groups claim, user names to preferred_username, client ids to client_id", () => {
    const groupsClaim = configOf(mcpServices[0]![0], mcpServices[0]![1]).groupsClaim;
    const groups = clientScope('groups')?.protocolMappers?.find((mapper) => mapper.protocolMapper === 'oidc-group-membership-mapper');
    expect(groups?.config).toMatchObject({ 'claim.name': groupsClaim, 'full.path': 'false', 'access.token.claim': 'true' });
    const username = clientScope('profile')?.protocolMappers?.find((mapper) => mapper.config['claim.name'] === 'preferred_username');
    expect(username?.config['user.attribute']).toBe('username');
    const clientId = clientScope('service_account')?.protocolMappers?.find((mapper) => mapper.config['claim.name'] === 'client_id');
    expect(clientId?.config['user.session.note']).toBe('client_id');
    expect(clientScope('basic')?.protocolMappers?.map((mapper) => mapper.protocolMapper)).toContain('oidc-sub-mapper');
  });
});

function planeServicesOf(kind: 'demo-data-plane'): [[string, ComposeService]] {
  const found = ourServices.filter(([, service]) => PLANE_SCRIPTS[commandOf(service).script] === kind);
  expect(found).toHaveLength(1);
  return found as [[string, ComposeService]];
}
