import { Writable } from 'node:stream';
import { resolveControlPlaneConfig } from '../../servers/control-plane/control-plane-config.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../../servers/control-plane/control-plane.js';
import type { Span, SpanDetails } from '../../servers/observability-plane/backends/telemetry-backend.js';
import { ConfigError } from '../../shared/config/env.js';
import { resolvePlaneConfig } from '../../shared/config/plane-config.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { parseKeyValueList } from '../../shared/telemetry/tracing.js';
import { connectWithToken } from '../support/mcp-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

describe('PLANE_OTEL_TRACES_* configuration', () => {
  it('is off by default', () => {
    expect(resolvePlaneConfig('control-plane', [], {}).tracing).toBeUndefined();
  });

  it('reads the endpoint, headers and resource attributes (OTEL key=value lists, percent-decoded)', () => {
    const config = resolvePlaneConfig('control-plane', [], {
      PLANE_OTEL_TRACES_ENDPOINT: 'http://127.0.0.1:4318',
      PLANE_OTEL_TRACES_HEADERS: 'Authorization=Bearer%20abc.def, x-tenant = blue',
      PLANE_OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=dev,openchoreo.dev/namespace=ops',
    });
    expect(config.tracing).toEqual({
      endpoint: 'http://127.0.0.1:4318/v1/traces', // a bare origin gets the OTLP/HTTP traces path
      headers: { Authorization: 'Bearer abc.def', 'x-tenant': 'blue' },
      resourceAttributes: { 'deployment.environment': 'dev', 'openchoreo.dev/namespace': 'ops' },
    });
    expect(
      resolvePlaneConfig('control-plane', [], { PLANE_OTEL_TRACES_ENDPOINT: 'https://collector.example.com/otlp/v1/traces' }).tracing
        ?.endpoint,
    ).toBe('https://collector.example.com/otlp/v1/traces');
  });

  it('refuses bad values, naming the variable but never echoing a header value', () => {
    expect(() => resolvePlaneConfig('control-plane', [], { PLANE_OTEL_TRACES_ENDPOINT: 'grpc://x:4317' })).toThrow(
      /PLANE_OTEL_TRACES_ENDPOINT/,
    );
    expect(() => resolvePlaneConfig('control-plane', [], { PLANE_OTEL_TRACES_HEADERS: 'Authorization=Bearer%20x' })).toThrow(
      /PLANE_OTEL_TRACES_ENDPOINT is not/,
    );
    let message = '';
    try {
      resolvePlaneConfig('control-plane', [], {
        PLANE_OTEL_TRACES_ENDPOINT: 'http://127.0.0.1:4318',
        PLANE_OTEL_TRACES_HEADERS: 'a=1,secret-token-value',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/PLANE_OTEL_TRACES_HEADERS: entry 2/);
    expect(message).not.toContain('secret-token-value');
    expect(parseKeyValueList('')).toEqual({});
  });
});

describe('traces of the control plane, exported to the embedded observability plane', () => {
  let stack: TestStack;
  let traced: RunningControlPlane | undefined;
  let token: string;
  const lines: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    const otlp = stack.observabilityPlane.running.otlp;
    if (!otlp) throw new Error('the test stack has no OTLP receiver');
    // Replace the stack's control plane with one on the same URL (so the provider's tokens fit) that exports its spans.
    await stack.controlPlane.running.close();
    const env = {
      PLANE_ISSUER: stack.issuer,
      PLANE_CONTROL_PLANE_URL: stack.controlPlane.url.href,
      PLANE_OBSERVABILITY_PLANE_URL: stack.observabilityPlane.url.href,
      PLANE_DATA_DIR: stack.dataDir,
      PLANE_POLICY_DIR: stack.policyDir,
      PLANE_OTEL_TRACES_ENDPOINT: `${otlp.url}/v1/traces`,
      PLANE_OTEL_TRACES_HEADERS: `Authorization=Bearer%20${encodeURIComponent(otlp.token)}`,
    };
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    traced = await startControlPlane(resolveControlPlaneConfig([], env), {
      logger: createLogger({ name: 'control-plane', destination }),
    });
    token = await stack.serviceToken('ci-deployer', 'control-plane');
  }, 60_000);
  afterAll(async () => {
    await traced?.close();
    await stack?.close();
  });

  it('records a span per tool call (tool, outcome, decision, duration; no arguments or tokens) under the HTTP request span', async () => {
    const client = await connectWithToken(stack.controlPlane.url, token);
    try {
      expect((await client.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
      const denied = await client.callTool({
        name: 'explain_access',
        arguments: { action: 'component:view', subject: { type: 'user', id: 'secret-argument-value' } },
      });
      expect(denied.isError).toBe(true);
    } finally {
      await client.close();
    }
    const [audited] = await traced!.audit.store.query({ tool: 'whoami', limit: 1 });
    await traced!.close(); // flushes the batch processor
    traced = undefined;

    const traces = stack.observabilityPlane.running.telemetry.traces;
    const window = { start: new Date(Date.now() - 10 * 60_000), end: new Date(Date.now() + 60_000) };
    const scope = { namespace: 'plane-mcp', project: 'plane-mcp', component: 'control-plane' };
    const { traces: found } = await traces.queryTraces({ scope, window, limit: 100, sort: 'desc' });
    const spans: Span[] = (
      await Promise.all(found.map((trace) => traces.traceSpans({ traceId: trace.traceId, scope, limit: 100 })))
    ).flatMap((page) => page.spans);
    const details = async (name: string): Promise<SpanDetails> => {
      const span = spans.find((candidate) => candidate.name === name);
      expect(span, `no span "${name}" among ${spans.map((candidate) => candidate.name).join(', ')}`).toBeDefined();
      return (await traces.getSpan(span!.traceId, span!.spanId))!;
    };

    const whoami = await details('tools/call whoami');
    expect(whoami).toMatchObject({ kind: expect.stringMatching(/internal/i), service: 'plane-mcp-control-plane', status: 'unset' });
    expect(whoami.attributes).toMatchObject({
      'gen_ai.tool.name': 'whoami',
      'mcp.method.name': 'tools/call',
      'plane-mcp.outcome': 'success',
      'plane-mcp.decision': 'allow',
      'plane-mcp.rule': 'caller-only',
      'plane-mcp.subject_type': 'service',
    });
    expect(whoami.attributes['plane-mcp.duration_ms']).toEqual(expect.any(Number));
    expect(whoami.attributes['plane-mcp.audit_id']).toBe(audited!.id);
    expect(whoami.resource).toMatchObject({
      'openchoreo.dev/namespace': 'plane-mcp',
      'openchoreo.dev/component': 'control-plane',
      'service.name': 'plane-mcp-control-plane',
    });

    const request = spans.find((span) => span.spanId === whoami.parentSpanId);
    expect(request, 'the tool span is a child of its HTTP request span').toMatchObject({
      name: 'POST /mcp',
      kind: expect.stringMatching(/server/i),
      traceId: whoami.traceId,
    });
    expect((await traces.getSpan(request!.traceId, request!.spanId))!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/mcp',
      'http.response.status_code': 200,
    });

    const explain = await details('tools/call explain_access');
    expect(explain.attributes).toMatchObject({
      'plane-mcp.outcome': 'denied',
      'plane-mcp.decision': 'deny',
      'plane-mcp.error_code': 'ERR_FORBIDDEN',
    });

    const everything = JSON.stringify(await Promise.all(spans.map((span) => traces.getSpan(span.traceId, span.spanId))));
    expect(everything).not.toContain('secret-argument-value');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(stack.observabilityPlane.running.otlp!.token);
    expect(lines.join('')).toContain('OpenTelemetry tracing on');
    expect(lines.join('')).not.toContain(stack.observabilityPlane.running.otlp!.token);
    expect(lines.join('')).not.toContain('trace export failed');
  });
});
