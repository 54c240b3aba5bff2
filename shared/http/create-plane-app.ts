import { getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter } from '@modelcontextprotocol/express';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  buildOAuthProtectedResourceMetadata,
  createMcpHandler,
  McpServer,
  type AuthInfo,
  type OAuthMetadata,
} from '@modelcontextprotocol/server';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import * as z from 'zod';
import { createBearerGate } from '../auth/bearer-gate.js';
import { AUTH_DISABLED_WARNING, authDisabledBindError, isLoopbackHost, LOCAL_SUBJECT, localAuthInfo } from '../auth/auth-disabled.js';
import { callerOf } from '../auth/verify-token.js';
import { annotationsOf, type AnyToolDefinition } from '../tools/define-tool.js';
import { runToolCall, type CallEnvironment } from '../tools/run-tool-call.js';
import { scopeChallengeFor } from '../tools/scope-challenge.js';
import { hostAllowList, rejectForeignHosts } from './dns-rebinding.js';
import { guardJsonRpcBody, MAX_BODY_BYTES, readJsonRpcBody } from './json-rpc-body.js';
import { JSON_RPC, jsonRpcFallbacks, sendJsonRpcError } from './json-rpc-errors.js';
import { createToolListing } from './tool-listing.js';
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

/**
 * An MCP server over stateless streamable HTTP: DNS-rebinding checks, bearer-token gate, RFC 9728
 * metadata, per-caller tool lists, every call through `runToolCall`, plus `/healthz`, `/readyz` and
 * `/metrics`. No session state, so replicas behind one port need no affinity.
 *
 * Order on the MCP endpoint: Host/Origin → credentials (headers only) → body (≤ 1 MB JSON) → batch and
 * nesting rules → SDK. So an anonymous caller never gets a body read, and every refusal the HTTP layer
 * makes is a short JSON-RPC error.
 */
export function createPlaneApp<Deps>(options: PlaneAppOptions<Deps>): Express {
  const { canonicalUrl, environment: env } = options;
  // Checked again here (the configuration already refuses it) so no caller can build an open server on a public address.
  if (options.authDisabled && !isLoopbackHost(options.bindHost)) throw new Error(authDisabledBindError(options.bindHost));
  const app = express();
  app.disable('x-powered-by');
  const allowList = hostAllowList({
    bindHost: options.bindHost,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  });
  if (!allowList.hosts)
    env.logger.warn({ bind: options.bindHost }, 'non-loopback bind without PLANE_ALLOWED_HOSTS: any Host header is accepted');
  app.use(rejectForeignHosts(allowList, (res, status, message) => sendJsonRpcError(res, status, JSON_RPC.serverError, message)));

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
  const listTools = createToolListing(options.tools, isVisible);
  const buildServer = (authInfo: AuthInfo | undefined) => {
    const server = new McpServer({ name: options.name, version: options.version }, { instructions: options.instructions });
    for (const tool of options.tools) {
      server.registerTool(
        tool.name,
        {
          title: tool.title,
          description: tool.description,
          // runToolCall parses the input itself, so even a malformed call is audited and answered with the
          // full validation message; tools/list shows the real schema (tool-listing.ts).
          inputSchema: callArguments,
          outputSchema: tool.output,
          annotations: annotationsOf(tool),
          scopeChallenge: scopeChallengeFor(tool, env),
          _meta: { 'plane-mcp/toolset': tool.toolset, 'plane-mcp/scope': tool.scope },
        },
        (args, ctx) => runToolCall(tool, args, ctx.http?.authInfo, env),
      );
    }
    // Replaces the SDK's list handler (which lists every registered tool): only what this caller may use.
    const subject = callerOf(authInfo)?.subject;
    server.server.setRequestHandler('tools/list', () => listTools(subject));
    return server;
  };
  const mcpHandler = createMcpHandler((ctx) => buildServer(ctx.authInfo), {
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror: (error) => env.logger.warn({ err: { name: error.name, message: error.message } }, 'MCP request failed'),
  });
  const serveMcp = toNodeHandler(mcpHandler);
  app.all(canonicalUrl.pathname, countRejections, gate, readJsonRpcBody(), guardJsonRpcBody(), (req, res) => {
    void serveMcp(req, res, req.body);
  });
  app.use(...jsonRpcFallbacks(env.logger));
  return app;
}

const callArguments = z.looseObject({});
