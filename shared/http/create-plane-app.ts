import { createMcpExpressApp, getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter } from '@modelcontextprotocol/express';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  buildOAuthProtectedResourceMetadata,
  createMcpHandler,
  McpServer,
  type AuthInfo,
  type OAuthMetadata,
} from '@modelcontextprotocol/server';
import type { Express, NextFunction, Request, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as z from 'zod';
import { createBearerGate } from '../auth/bearer-gate.js';
import { AUTH_DISABLED_WARNING, authDisabledBindError, isLoopbackHost, LOCAL_SUBJECT, localAuthInfo } from '../auth/auth-disabled.js';
import { callerOf } from '../auth/verify-token.js';
import { annotationsOf, type AnyToolDefinition } from '../tools/define-tool.js';
import { runToolCall, type CallEnvironment } from '../tools/run-tool-call.js';
import { scopeChallengeFor } from '../tools/scope-challenge.js';
import { createVisibilityFilter } from './tool-visibility.js';

/**
 * How callers are authenticated: bearer tokens from the issuer (the default), or not at all
 * (`PLANE_AUTH_DISABLED`: every request acts as `LOCAL_SUBJECT`; loopback bind only).
 */
export type PlaneAppAuthentication =
  { authDisabled?: false; issuerMetadata: OAuthMetadata; verifier: OAuthTokenVerifier } | { authDisabled: true };

export type PlaneAppOptions<Deps> = PlaneAppCommonOptions<Deps> & PlaneAppAuthentication;

interface PlaneAppCommonOptions<Deps> {
  /** The server's name in MCP and in metrics (`control-plane`, `observability-plane`). */
  name: string;
  title: string;
  version: string;
  instructions: string;
  /** The canonical URI: the MCP endpoint and the only token audience accepted. */
  canonicalUrl: URL;
  /** The address actually bound; DNS-rebinding protection follows it. */
  bindHost: string;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  /** Every request needs this scope (the server's read scope); tools may need more. */
  baseScope: string;
  scopesSupported: string[];
  tools: AnyToolDefinition<Deps>[];
  environment: CallEnvironment<Deps>;
  /** False until the server's dependencies are usable; `/readyz` reports it. */
  isReady: () => boolean;
}

/** What the SDK's per-request factory needs to know that only the HTTP layer sees. */
interface RequestScope {
  listingTools: boolean;
}

/**
 * An MCP server over stateless streamable HTTP: bearer-token gate, RFC 9728 metadata, per-caller tool
 * lists, every call through `runToolCall`, plus `/healthz`, `/readyz` and `/metrics`. No session state,
 * so replicas behind one port need no affinity.
 */
export function createPlaneApp<Deps>(options: PlaneAppOptions<Deps>): Express {
  const { canonicalUrl, environment: env } = options;
  // Checked again here (the configuration already refuses it) so no caller can build an open server on a public address.
  if (options.authDisabled && !isLoopbackHost(options.bindHost)) throw new Error(authDisabledBindError(options.bindHost));
  const app = createMcpExpressApp({
    host: options.bindHost,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    jsonLimit: '1mb',
  });
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => {
    const ready = options.isReady();
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      policyVersion: env.policy.version,
      ...(options.authDisabled ? { authDisabled: true, subject: `user:${LOCAL_SUBJECT.id}`, warning: AUTH_DISABLED_WARNING } : {}),
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(env.metrics.registry.contentType).send(await env.metrics.registry.metrics());
  });

  let gate: (req: Request, res: Response, next: NextFunction) => void;
  if (options.authDisabled) {
    // No metadata either: advertising an authorization server nobody needs would only send clients on a detour.
    env.logger.warn({ authDisabled: true, subject: `user:${LOCAL_SUBJECT.id}`, groups: LOCAL_SUBJECT.groups }, AUTH_DISABLED_WARNING);
    const local = localAuthInfo(options.scopesSupported);
    gate = (req, _res, next) => {
      // Any Authorization header is ignored: with authentication off there is nothing to check it against.
      (req as Request & { auth?: AuthInfo }).auth = local;
      next();
    };
  } else {
    const insecureIssuer = new URL(options.issuerMetadata.issuer).protocol === 'http:';
    const metadataOptions = {
      oauthMetadata: options.issuerMetadata,
      resourceServerUrl: canonicalUrl,
      scopesSupported: options.scopesSupported,
      resourceName: options.title,
      dangerouslyAllowInsecureIssuerUrl: insecureIssuer,
    };
    app.use(mcpAuthMetadataRouter(metadataOptions));
    // RFC 9728 also allows the root well-known URL; clients that ignore the challenge probe it.
    const resourceMetadata = buildOAuthProtectedResourceMetadata(metadataOptions);
    app.get('/.well-known/oauth-protected-resource', (_req, res) => void res.json(resourceMetadata));

    gate = createBearerGate({
      verifier: options.verifier,
      requiredScope: options.baseScope,
      challengeScopes: options.scopesSupported,
      resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(canonicalUrl),
      expectedResource: canonicalUrl,
    });
  }
  const countRejections = (req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      if (res.statusCode === 401 || res.statusCode === 403) env.metrics.httpRejections.inc({ status: String(res.statusCode) });
    });
    next();
  };

  const isVisible = createVisibilityFilter(env.policy);
  const requestScope = new AsyncLocalStorage<RequestScope>();
  const buildServer = (authInfo: AuthInfo | undefined) => {
    const server = new McpServer({ name: options.name, version: options.version }, { instructions: options.instructions });
    const listingTools = requestScope.getStore()?.listingTools ?? false;
    const subject = callerOf(authInfo)?.subject;
    for (const tool of options.tools) {
      if (listingTools && !(subject && isVisible(tool, subject))) continue;
      server.registerTool(
        tool.name,
        {
          title: tool.title,
          description: tool.description,
          // Only tools/list shows the schema; on a call runToolCall parses the input itself, so even a
          // malformed call is audited and answered with the full validation message.
          inputSchema: listingTools ? tool.input : callArguments,
          outputSchema: tool.output,
          annotations: annotationsOf(tool),
          scopeChallenge: scopeChallengeFor(tool, env),
          _meta: { 'plane-mcp/toolset': tool.toolset, 'plane-mcp/scope': tool.scope },
        },
        (args, ctx) => runToolCall(tool, args, ctx.http?.authInfo, env),
      );
    }
    return server;
  };
  const mcpHandler = createMcpHandler((ctx) => buildServer(ctx.authInfo), {
    onerror: (error) => env.logger.warn({ err: error }, 'MCP request failed'),
  });
  const serveMcp = toNodeHandler(mcpHandler);
  app.all(canonicalUrl.pathname, countRejections, gate, (req, res) => {
    const body = req.body as { method?: unknown } | undefined;
    void requestScope.run({ listingTools: body?.method === 'tools/list' }, () => serveMcp(req, res, req.body));
  });
  return app;
}

const callArguments = z.looseObject({});
