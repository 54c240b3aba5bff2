import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryWriter } from '../../servers/observability-plane/backends/telemetry-writer.js';
import { connectWithToken, errorOf, textOf } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { BOUTIQUE, buildIncidentFixture, type IncidentFixture } from './incident-fixture.js';

/**
 * Every observability tool over HTTP with real tokens, against one backend: the same behaviour
 * whichever backend serves it. Run by the *.spec.ts files beside it (embedded; OpenSearch + Prometheus).
 */

const POLICY_OVERLAY = {
  bindings: `  - name: test-sre-agent-not-default-project
    role: sre-agent
    subjects: [service:sre-agent]
    scope: { namespace: default, project: default }
    effect: deny
`,
};

type Identity = 'dev' | 'sre' | 'viewer' | 'admin' | 'sre-agent' | 'readonly-assistant' | 'finops-agent';
const USERS = new Set<Identity>(['dev', 'sre', 'viewer', 'admin']);
const INJECTIONS = ['*', '" OR 1=1 --', '\\', 'log:*', '*:*', '{"match_all":{}}', '"} or vector(1) or {"', "' OR '1'='1", '%', '_'];

export interface BackendUnderTest {
  observabilityEnv: () => Promise<Record<string, string>>;
  writer: (stack: TestStack) => Promise<TelemetryWriter>;
}

export function describeObservabilityTools(name: string, backend: BackendUnderTest) {
  describe(`observability tools on ${name}`, () => {
    let stack: TestStack;
    let fixture: IncidentFixture;
    const clients = new Map<Identity, Client>();
    const dev = { namespace: 'default', project: BOUTIQUE.project, environment: 'development' };

    beforeAll(async () => {
      stack = await startTestStack({ observabilityEnv: await backend.observabilityEnv(), policyOverlay: POLICY_OVERLAY });
      fixture = buildIncidentFixture(new Date());
      const writer = await backend.writer(stack);
      await writer.writeLogs(fixture.logs);
      await writer.writeSpans(fixture.spans);
      await writer.writePodSamples(fixture.pods);
    }, 120_000);
    afterAll(async () => {
      await Promise.allSettled([...clients.values()].map((client) => client.close()));
      await stack?.close();
    });

    async function as(identity: Identity) {
      let client = clients.get(identity);
      if (!client) {
        const token = USERS.has(identity)
          ? await stack.userToken(identity, 'observability-plane')
          : await stack.serviceToken(identity, 'observability-plane');
        client = await connectWithToken(stack.observabilityPlane.url, token);
        clients.set(identity, client);
      }
      return client;
    }
    async function call(identity: Identity, tool: string, args: Record<string, unknown>) {
      const result = await (await as(identity)).callTool({ name: tool, arguments: args });
      return { result, data: result.structuredContent as Record<string, any>, error: errorOf(result), text: textOf(result) };
    }
    async function ok(identity: Identity, tool: string, args: Record<string, unknown>) {
      const outcome = await call(identity, tool, args);
      expect(outcome.result.isError, `${tool} as ${identity}: ${outcome.text}`).toBeFalsy();
      return outcome.data;
    }
    async function denied(identity: Identity, tool: string, args: Record<string, unknown>, binding?: string) {
      const outcome = await call(identity, tool, args);
      expect(outcome.error?.code, `${tool} as ${identity}: ${outcome.text}`).toBe('ERR_FORBIDDEN');
      if (binding) expect(outcome.error?.denial?.binding?.name).toBe(binding);
      else expect(outcome.error?.denial?.wouldAllow?.length).toBeGreaterThan(0);
    }
    async function invalid(tool: string, args: Record<string, unknown>, message: RegExp) {
      const outcome = await call('admin', tool, args);
      expect(outcome.error?.code, `${tool}: ${outcome.text}`).toBe('ERR_INVALID_INPUT');
      expect(outcome.error?.message).toMatch(message);
    }

    describe('logs', () => {
      it('query_component_logs: scoped lines, newest first, levels and search; secrets and hidden characters removed', async () => {
        const result = await ok('dev', 'query_component_logs', { ...dev, component: 'frontend', log_levels: ['ERROR'] });
        expect(result.total).toBe(12);
        expect(result.lines.every((line: any) => line.level === 'ERROR' && line.component === 'frontend')).toBe(true);
        expect(result.lines[0].timestamp >= result.lines[1].timestamp).toBe(true);
        expect(result.untrustedContent).toBe(true);
        const searched = await ok('dev', 'query_component_logs', { ...dev, search_phrase: 'CODE = unavailable' });
        expect(searched.total).toBe(17);
        const warn = await ok('dev', 'query_component_logs', { ...dev, component: 'checkout', log_levels: ['WARN'] });
        expect(warn.lines[0].message).not.toContain('hunter2');
        expect(warn.lines[0].message).not.toContain('eyJhbGciOiJSUzI1NiJ9');
        expect(warn.lines[0].message).not.toMatch(/[\u202A-\u202E]/);
        const limited = await ok('dev', 'query_component_logs', { ...dev, component: 'frontend', limit: 3 });
        expect(limited).toMatchObject({ returned: 3, truncated: true });
      });

      it('query_component_logs: group_patterns counts recurring messages', async () => {
        const result = await ok('dev', 'query_component_logs', { ...dev, log_levels: ['ERROR'], group_patterns: true });
        expect(result.patterns[0]).toMatchObject({ count: 12, level: 'ERROR', components: ['frontend'] });
        expect(result.patterns[0].pattern).toContain('rpc error: code = Unavailable');
        expect(result.patterns[1]).toMatchObject({ count: 5, components: ['checkout'] });
      });

      it('query_component_logs: scope narrows by project, component and environment; empty results carry hints', async () => {
        expect((await ok('dev', 'query_component_logs', { ...dev, environment: 'production' })).total).toBe(1);
        expect((await ok('dev', 'query_component_logs', { namespace: 'default', project: 'default' })).total).toBe(1);
        const none = await ok('dev', 'query_component_logs', { ...dev, component: 'ad' });
        expect(none.total).toBe(0);
        expect(none.hints.length).toBeGreaterThan(0);
      });

      it('query_component_logs: a viewer (no logs:view) is denied, with roles that would allow', async () => {
        await denied('viewer', 'query_component_logs', dev);
        await denied('finops-agent', 'query_component_logs', dev);
      });

      it('query_component_logs: bad input is refused; injection attempts match literally or not at all', async () => {
        await invalid('query_component_logs', { ...dev, component: 'frontend', project: undefined }, /component needs project/);
        await invalid('query_component_logs', { ...dev, start_time: 'yesterday' }, /start_time/);
        await invalid(
          'query_component_logs',
          { ...dev, start_time: new Date().toISOString(), end_time: new Date(Date.now() - 60_000).toISOString() },
          /before end_time/,
        );
        await invalid('query_component_logs', { ...dev, log_levels: ['FATAL'] }, /log_levels/);
        for (const attempt of INJECTIONS) {
          const result = await ok('dev', 'query_component_logs', { ...dev, search_phrase: attempt });
          expect(result.total, attempt).toBe(0);
          await invalid('query_component_logs', { ...dev, component: attempt }, /component/);
          await invalid('query_component_logs', { ...dev, environment: attempt }, /environment/);
        }
      });

      it("query_workflow_logs: a build run's lines by task; denied without logs:view; bad names refused", async () => {
        const result = await ok('dev', 'query_workflow_logs', { namespace: 'default', run_name: 'greeting-service-build-07' });
        expect(result.lines.map((line: any) => line.task)).toEqual(['checkout-source', 'build-image']);
        const failed = await ok('dev', 'query_workflow_logs', {
          namespace: 'default',
          project: 'default',
          run_name: 'greeting-service-build-07',
          task: 'build-image',
        });
        expect(failed.lines).toHaveLength(1);
        expect(failed.lines[0].message).toContain('Dockerfile.broken: no such file or directory');
        expect(
          (
            await ok('dev', 'query_workflow_logs', {
              namespace: 'default',
              project: BOUTIQUE.project,
              run_name: 'greeting-service-build-07',
            })
          ).lines,
        ).toEqual([]);
        expect(
          (await ok('dev', 'query_component_logs', { namespace: 'default', project: 'default', search_phrase: 'Dockerfile.broken' })).total,
        ).toBe(0);
        await denied('viewer', 'query_workflow_logs', { namespace: 'default', run_name: 'greeting-service-build-07' });
        await denied(
          'sre-agent',
          'query_workflow_logs',
          { namespace: 'default', project: 'default', run_name: 'greeting-service-build-07' },
          'test-sre-agent-not-default-project',
        );
        await invalid('query_workflow_logs', { namespace: 'default', run_name: 'Build 07!' }, /run_name/);
        await invalid('query_workflow_logs', { namespace: 'default', task: '*' }, /task/);
      });

      it('query_component_logs: a window over the maximum is shortened and says so', async () => {
        const result = await ok('dev', 'query_component_logs', { ...dev, start_time: '2000-01-01T00:00:00Z' });
        expect(result.window.clampedFrom).toBeDefined();
        expect(result.hints.join(' ')).toMatch(/shortened/);
      });
    });

    describe('traces', () => {
      it('query_traces: failed and slow traces, with the services they touched', async () => {
        const all = await ok('dev', 'query_traces', dev);
        expect(all.traces.map((trace: any) => trace.traceId).sort()).toEqual(
          [fixture.traces.failedCheckout, fixture.traces.healthyHome, fixture.traces.slowRecommendation].sort(),
        );
        const failed = await ok('dev', 'query_traces', { ...dev, errors_only: true });
        expect(failed.traces).toHaveLength(1);
        expect(failed.traces[0]).toMatchObject({ traceId: fixture.traces.failedCheckout, errorSpanCount: 3 });
        expect(failed.traces[0].services).toEqual(expect.arrayContaining(['frontend', 'checkout', 'productcatalog']));
        const slow = await ok('dev', 'query_traces', { ...dev, min_duration_ms: 500 });
        expect(slow.traces.map((trace: any) => trace.traceId)).toEqual([fixture.traces.slowRecommendation]);
        await denied('viewer', 'query_traces', dev);
        await invalid('query_traces', { ...dev, min_duration_ms: -1 }, /min_duration_ms/);
      });

      it('query_trace_spans: the failing hop is visible with parents and status', async () => {
        const result = await ok('dev', 'query_trace_spans', { ...dev, trace_id: fixture.traces.failedCheckout });
        expect(result.spans).toHaveLength(3);
        const leaf = result.spans.find((span: any) => span.service === 'productcatalog');
        expect(leaf).toMatchObject({ status: 'error' });
        expect(leaf.parentSpanId).toBe(result.spans.find((span: any) => span.service === 'checkout').spanId);
        const scoped = await ok('dev', 'query_trace_spans', { ...dev, component: 'checkout', trace_id: fixture.traces.failedCheckout });
        expect(scoped.spans.map((span: any) => span.service)).toEqual(['checkout']);
        await denied('finops-agent', 'query_trace_spans', { ...dev, trace_id: fixture.traces.failedCheckout });
        await invalid('query_trace_spans', { ...dev, trace_id: '*' }, /trace_id/);
      });

      it("get_span_details: authorized by the span's own project", async () => {
        const { traceId, spanId } = fixture.greeterSpan;
        const details = await ok('dev', 'get_span_details', { trace_id: traceId, span_id: spanId });
        expect(details).toMatchObject({ service: 'greeting-service', scope: { project: 'default', component: 'greeting-service' } });
        expect(details.attributes).toBeDefined();
        await denied('sre-agent', 'get_span_details', { trace_id: traceId, span_id: spanId }, 'test-sre-agent-not-default-project');
        const boutiqueSpan = await ok('dev', 'query_trace_spans', { ...dev, trace_id: fixture.traces.healthyHome });
        await ok('sre-agent', 'get_span_details', { trace_id: fixture.traces.healthyHome, span_id: boutiqueSpan.spans[0].spanId });
        const missing = await call('dev', 'get_span_details', { trace_id: '0'.repeat(32), span_id: '0'.repeat(16) });
        expect(missing.error?.code).toBe('ERR_NOT_FOUND');
        await invalid('get_span_details', { trace_id: traceId, span_id: 'xyz' }, /span_id/);
      });
    });

    describe('metrics', () => {
      it('query_resource_metrics: usage far below requests shows as low utilisation', async () => {
        const result = await ok('finops-agent', 'query_resource_metrics', {
          ...dev,
          component: 'frontend',
          start_time: new Date(Date.now() - 9 * 60_000).toISOString(),
        });
        expect(result.summary.cpuRequests.latest).toBeCloseTo(0.1, 3);
        expect(result.summary.memoryLimits.latest).toBe(256 * 1024 * 1024);
        expect(result.summary.cpuUsage.average).toBeGreaterThan(0.005);
        expect(result.summary.cpuUsage.average).toBeLessThan(0.02);
        expect(result.summary.cpuUtilisationOfRequests).toBeLessThan(0.25);
        expect(result.summary.memoryUtilisationOfRequests).toBeCloseTo(40 / 256, 2);
        await denied(
          'sre-agent',
          'query_resource_metrics',
          { namespace: 'default', project: 'default' },
          'test-sre-agent-not-default-project',
        );
        await denied('viewer', 'query_component_logs', { ...dev, component: 'frontend' });
        await invalid('query_resource_metrics', { ...dev, step: '7m' }, /step/);
      });

      it('query_http_metrics: request rate, error ratio and latency percentiles', async () => {
        const result = await ok('dev', 'query_http_metrics', {
          ...dev,
          component: 'frontend',
          start_time: new Date(Date.now() - 9 * 60_000).toISOString(),
        });
        expect(result.summary.requestRate.average).toBeGreaterThan(5);
        expect(result.summary.requestRate.average).toBeLessThan(15);
        expect(result.summary.errorRate.average).toBeCloseTo(0.2, 1);
        expect(result.summary.latencyP50Ms.average).toBeGreaterThan(5);
        expect(result.summary.latencyP99Ms.average).toBeGreaterThan(result.summary.latencyP50Ms.average);
        await denied(
          'sre-agent',
          'query_http_metrics',
          { namespace: 'default', project: 'default', component: 'greeting-service' },
          'test-sre-agent-not-default-project',
        );
        for (const attempt of INJECTIONS) await invalid('query_http_metrics', { ...dev, component: attempt }, /component/);
      });
    });

    describe('alerts and incidents', () => {
      it('alert rules fire into alerts and an incident with a lifecycle', async () => {
        const evaluations = await stack.observabilityPlane.running.alerts.evaluateAll();
        expect(evaluations.find((evaluation) => evaluation.rule === 'frontend-upstream-unavailable')).toMatchObject({ firing: true });
        const alerts = await ok('dev', 'query_alerts', { ...dev, component: 'frontend' });
        expect(alerts.alerts[0]).toMatchObject({ rule: 'frontend-upstream-unavailable', severity: 'critical' });
        const incidents = await ok('dev', 'query_incidents', { ...dev, component: 'frontend', status: 'open' });
        expect(incidents.incidents).toHaveLength(1);
        const id = incidents.incidents[0].id;
        await denied('dev', 'update_incident', { incident_id: id, status: 'acknowledged' });
        const acknowledged = await ok('sre', 'update_incident', { incident_id: id, status: 'acknowledged', note: 'looking' });
        expect(acknowledged.incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'user:sre', note: 'looking' });
        await invalid('update_incident', { incident_id: 'not-a-uuid', status: 'resolved' }, /incident_id/);
        const resolved = await ok('sre', 'update_incident', { incident_id: id, status: 'resolved' });
        expect(resolved.incident.status).toBe('resolved');
        const again = await call('sre', 'update_incident', { incident_id: id, status: 'acknowledged' });
        expect(again.error?.code).toBe('ERR_INVALID_INPUT');
        await denied('readonly-assistant', 'query_alerts', dev);
        await denied('readonly-assistant', 'query_incidents', dev);
      });
    });

    describe('diagnosis and identity', () => {
      it('diagnose_component: error patterns, RED metrics and failed traces in one call', async () => {
        const result = await ok('dev', 'diagnose_component', {
          ...dev,
          component: 'frontend',
          start_time: new Date(Date.now() - 9 * 60_000).toISOString(),
        });
        expect(result.errorPatterns[0]).toMatchObject({ count: 12, level: 'ERROR' });
        expect(result.red.errorRate).toBeCloseTo(0.2, 1);
        expect(result.failedTraces.map((trace: any) => trace.traceId)).toEqual([fixture.traces.failedCheckout]);
        expect(result.omitted).toEqual([]);
        const partial = await ok('readonly-assistant', 'diagnose_component', { ...dev, component: 'frontend' });
        expect(partial.omitted).toEqual([]);
        await denied('viewer', 'diagnose_component', { ...dev, component: 'frontend' });
        await invalid('diagnose_component', { ...dev }, /component/);
      });

      it('whoami and tools/list per role', async () => {
        const me = await ok('sre-agent', 'whoami', {});
        expect(me.subject).toEqual({ type: 'service', id: 'sre-agent' });
        const names = async (identity: Identity) => (await (await as(identity)).listTools()).tools.map((tool) => tool.name).sort();
        expect(await names('dev')).toEqual(
          expect.arrayContaining(['query_component_logs', 'query_traces', 'get_span_details', 'diagnose_component']),
        );
        expect(await names('dev')).not.toContain('update_incident');
        expect(await names('viewer')).not.toContain('query_component_logs');
        expect(await names('sre')).toContain('update_incident');
      });
    });
  });
}
