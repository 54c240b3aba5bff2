import { join } from 'node:path';
import { fetchIssuerMetadata } from '../auth/issuer-metadata.js';
import { createTokenVerifier } from '../auth/verify-token.js';
import type { AuditStore } from '../audit/audit-event.js';
import { AuditLog } from '../audit/audit-log.js';
import { SqliteAuditStore } from '../audit/sqlite-audit-store.js';
import { PolicyEngine } from '../authz/policy-engine.js';
import { PORT_VARIABLES, type PlaneConfig } from '../config/plane-config.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createServerMetrics } from '../telemetry/metrics.js';
import { startTracing } from '../telemetry/tracing.js';
import type { AnyToolDefinition } from '../tools/define-tool.js';
import { selectTools } from '../tools/select-tools.js';
import { createPlaneApp } from './create-plane-app.js';
import { listen } from './listen.js';
import { createVisibilityFilter } from './tool-visibility.js';

export interface PlaneDescription<Deps> {
  title: string;
  version: string;
  instructions: string;
  /** The scope every request needs (the plane's read scope). */
  baseScope: string;
  scopesSupported: string[];
  catalogue: AnyToolDefinition<Deps>[];
  deps: Deps;
  /** Where audit events go (closed by its owner); defaults to `<dataDir>/<plane>-audit.sqlite`, closed with the plane. */
  auditStore?: AuditStore;
  /** Extra readiness beyond the policy being loaded (e.g. a backend reachable). */
  isReady?: () => boolean;
  /** Released when the plane stops. */
  onClose?: () => Promise<void>;
}

export interface RunningPlane {
  url: URL;
  logger: Logger;
  policy: PolicyEngine;
  audit: AuditLog;
  close(): Promise<void>;
}

/** The composition root shared by both servers: logger, metrics, policy, token verifier, audit, HTTP. */
export async function startPlane<Deps>(config: PlaneConfig, description: PlaneDescription<Deps>, logger?: Logger): Promise<RunningPlane> {
  const log = logger ?? createLogger({ name: config.plane, level: config.logLevel });
  const tools = selectTools(description.catalogue, {
    ...(config.toolsets ? { toolsets: config.toolsets } : {}),
    readOnly: config.readOnly,
    noDestructive: config.noDestructive,
  });
  const policy = await PolicyEngine.load(config.policyDir, {
    watch: true,
    // Evaluation failures and loads; the decisions themselves go to the audit trail.
    log: (message, fields, level) => log[level ?? 'info'](fields ?? {}, message),
    onReload: (version, error) =>
      error
        ? log.error({ err: error, policyVersion: version }, 'policy edit rejected; the last good policy stays in force')
        : log.info({ policyVersion: version }, 'policy reloaded'),
  });
  // With authentication disabled (loopback only) no issuer is contacted: the server runs without one.
  const authentication = config.authDisabled
    ? ({ authDisabled: true } as const)
    : await (async () => {
        const issuerMetadata = await fetchIssuerMetadata(config.issuer);
        const verifier = createTokenVerifier({
          issuer: config.issuer,
          jwksUri: issuerMetadata.jwks_uri as string,
          audience: config.canonicalUrl.href,
          algorithms: config.tokenAlgorithms,
          clockToleranceSeconds: config.clockToleranceSeconds,
          groupsClaim: config.groupsClaim,
        });
        return { issuerMetadata, verifier };
      })();
  const metrics = createServerMetrics(config.plane);
  const auditStore = description.auditStore ?? new SqliteAuditStore(join(config.dataDir, `${config.plane}-audit.sqlite`));
  const audit = new AuditLog(auditStore, log);
  const isVisible = createVisibilityFilter(policy);
  const tracing = config.tracing
    ? await startTracing(config.tracing, { plane: config.plane, version: description.version, mcpPath: config.canonicalUrl.pathname }, log)
    : undefined;
  const app = createPlaneApp({
    name: config.plane,
    title: description.title,
    version: description.version,
    instructions: description.instructions,
    canonicalUrl: config.canonicalUrl,
    bindHost: config.bindHost,
    ...(config.allowedHosts ? { allowedHosts: config.allowedHosts } : {}),
    ...(config.allowedOrigins ? { allowedOrigins: config.allowedOrigins } : {}),
    ...authentication,
    baseScope: description.baseScope,
    scopesSupported: description.scopesSupported,
    tools,
    environment: {
      plane: config.plane,
      policy,
      audit,
      metrics,
      logger: log,
      deps: description.deps,
      visibleTools: (subject) => tools.filter((tool) => isVisible(tool, subject)).map((tool) => tool.name),
      ...(tracing ? { tracing } : {}),
    },
    isReady: () => description.isReady?.() ?? true,
  });
  const listener = await listen(tracing ? tracing.traceRequests(app) : app, {
    host: config.bindHost,
    port: config.port,
    portVariable: PORT_VARIABLES[config.plane],
  }).catch(async (error: unknown) => {
    await tracing?.shutdown();
    throw error;
  });
  log.info(
    {
      url: config.canonicalUrl.href,
      bind: `${config.bindHost}:${config.port}`,
      tools: tools.map((tool) => tool.name),
      ...(config.authDisabled ? { authDisabled: true } : { issuer: config.issuer }),
    },
    `${config.plane} MCP server listening`,
  );
  return {
    url: config.canonicalUrl,
    logger: log,
    policy,
    audit,
    async close() {
      await listener.close();
      await tracing?.shutdown();
      policy.close();
      if (!description.auditStore) await auditStore.close();
      await description.onClose?.();
    },
  };
}
