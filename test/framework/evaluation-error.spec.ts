/**
 * A policy that cannot be evaluated for a request, through the real call pipeline: the real engine
 * (a faulty model.conf, see test/authz/fixtures/evaluation-error), a real SQLite audit store and the
 * real Prometheus metrics. The denial carries its own reason everywhere it is reported.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Subject } from '../../shared/auth/subject.js';
import { AuditLog } from '../../shared/audit/audit-log.js';
import { SqliteAuditStore } from '../../shared/audit/sqlite-audit-store.js';
import { PolicyEngine } from '../../shared/authz/policy-engine.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { createServerMetrics, type ServerMetrics } from '../../shared/telemetry/metrics.js';
import { defineTool, type AnyToolDefinition } from '../../shared/tools/define-tool.js';
import { runToolCall, type CallEnvironment } from '../../shared/tools/run-tool-call.js';
import { policyDir, removeTempDirs } from '../authz/helpers.js';
import { makeTempDir, removeTempDir } from '../support/identity.js';

const ADMIN: Subject = { type: 'user', id: 'ada', groups: ['platform-admins'] };
const target = z.object({ namespace: z.string(), project: z.string(), component_type: z.string().optional() });
const accessTarget = (input: z.infer<typeof target>) => ({
  resource: { namespace: input.namespace, project: input.project },
  attributes: input.component_type ? { componentType: input.component_type } : {},
});

let handled = 0;
const tools: Record<string, AnyToolDefinition<unknown>> = {
  update: defineTool({
    name: 'update_thing',
    title: 'Update thing',
    description: 'Test-only write.',
    toolset: 'test',
    kind: 'write',
    scope: 'controlplane:write',
    input: target,
    output: z.object({ ok: z.boolean() }),
    authorization: { action: 'component:update', target: accessTarget },
    handler: async () => (handled++, { ok: true }),
  }),
  list: defineTool({
    name: 'list_things',
    title: 'List things',
    description: 'Test-only list that filters its items.',
    toolset: 'test',
    kind: 'read',
    scope: 'controlplane:read',
    input: target,
    output: z.object({ items: z.array(z.string()) }),
    authorization: { action: 'component:view', target: accessTarget, filtersItems: true },
    handler: async (input, context) => (
      handled++,
      {
        items: ['a', 'b'].filter((component) =>
          context.isAllowed('component:view', { resource: { namespace: input.namespace, project: input.project, component } }),
        ),
      }
    ),
  }),
};

let dataDir: string;
let store: SqliteAuditStore;
let metrics: ServerMetrics;
let environment: CallEnvironment<unknown>;
const authInfo: AuthInfo = {
  token: 'not-a-real-token',
  clientId: 'test-client',
  scopes: ['controlplane:read', 'controlplane:write'],
  extra: { caller: { subject: ADMIN } },
};

beforeAll(async () => {
  dataDir = makeTempDir('plane-mcp-evaluation-error-');
  store = new SqliteAuditStore(join(dataDir, 'audit.sqlite'));
  metrics = createServerMetrics('test-plane');
  const logger = createLogger({ name: 'test-plane', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  environment = {
    plane: 'test-plane',
    policy: await PolicyEngine.load(await policyDir('evaluation-error')),
    audit: new AuditLog(store, logger),
    metrics,
    logger,
    deps: undefined,
    visibleTools: () => [],
  };
});
afterAll(async () => {
  await store?.close();
  if (dataDir) removeTempDir(dataDir);
  await removeTempDirs();
});

const denialsBy = async (reason: string) =>
  (await metrics.denials.get()).values.filter((value) => value.labels.reason === reason).reduce((sum, value) => sum + value.value, 0);
const lastAuditOf = async (tool: string) => (await store.query({ tool, limit: 1 }))[0];
type Meta = { code: string; hint?: string; denial?: { reason: string; allowed: boolean; error?: string; explanation: string } };
const metaOf = (result: Awaited<ReturnType<typeof runToolCall>>) => result._meta?.['plane-mcp/error'] as Meta | undefined;

describe('a failed evaluation', () => {
  it('is evaluated normally when the request carries what the faulty policy needs', async () => {
    const result = await runToolCall(
      tools.update!,
      { namespace: 'acme', project: 'shop', component_type: 'deployment/service' },
      authInfo,
      environment,
    );
    expect(result.isError).toBeFalsy();
  });

  it('denies with reason evaluation_error, and the audit rule and the denial metric say so', async () => {
    const before = handled;
    const result = await runToolCall(tools.update!, { namespace: 'acme', project: 'shop' }, authInfo, environment);
    expect(result.isError).toBe(true);
    const meta = metaOf(result)!;
    expect(meta.code).toBe('ERR_FORBIDDEN');
    expect(meta.denial).toMatchObject({ allowed: false, reason: 'evaluation_error', error: expect.stringContaining('startsWith') });
    expect(meta.denial!.explanation).toContain('the policy could not be evaluated');
    expect(meta.hint).toContain('could not be evaluated');
    expect(handled).toBe(before);
    expect(await lastAuditOf('update_thing')).toMatchObject({
      decision: 'deny',
      outcome: 'denied',
      rule: 'evaluation_error',
      errorCode: 'ERR_FORBIDDEN',
    });
    expect(await denialsBy('evaluation_error')).toBe(1);
    expect(await denialsBy('explicit_deny')).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('mcp_authorization_denials_total')).toContain(
      'mcp_authorization_denials_total{tool="update_thing",reason="evaluation_error",plane="test-plane"} 1',
    );
  });

  it('is never widened to "granted below, filter the items" for a list tool', async () => {
    const before = handled;
    const result = await runToolCall(tools.list!, { namespace: 'acme', project: 'shop' }, authInfo, environment);
    expect(result.isError).toBe(true);
    expect(metaOf(result)?.denial?.reason).toBe('evaluation_error');
    expect(handled).toBe(before);
    expect(await lastAuditOf('list_things')).toMatchObject({ decision: 'deny', outcome: 'denied', rule: 'evaluation_error' });
  });

  it('fails closed per item too: items the policy cannot be evaluated for are left out', async () => {
    // The call itself carries a component type; the per-item checks do not.
    const result = await runToolCall(
      tools.list!,
      { namespace: 'acme', project: 'shop', component_type: 'deployment/service' },
      authInfo,
      environment,
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ items: [] });
  });
});
