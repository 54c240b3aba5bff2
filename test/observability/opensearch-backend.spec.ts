import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOpenSearchBackend,
  deriveLevel,
  escapeWildcard,
  windowIndices,
  type OpenSearchBackend,
} from '../../servers/observability-plane/backends/opensearch/index.js';
import type { LogLevel, LogLine, SpanDetails, TelemetryScope } from '../../servers/observability-plane/backends/telemetry-backend.js';
import { InvalidInputError, UpstreamUnavailableError } from '../../shared/errors/plane-errors.js';
import { openSearchUrl } from '../support/opensearch.js';

/**
 * The OpenSearch adapter against the run's real OpenSearch (test/setup/opensearch.global.ts). This file
 * uses its own random index prefixes, so other files can share the server.
 */

const RUN = randomBytes(4).toString('hex');
const LOG_PREFIX = `t${RUN}-logs-`;
const TRACE_PREFIX = `t${RUN}-traces-`;

const DAY1 = '2026-03-10';
const DAY2 = '2026-03-11';
const at = (day: string, time: string) => `${day}T${time}Z`;
const ms = (iso: string) => new Date(iso).getTime();

const NS = 'acme';
const BOUTIQUE = { namespace: NS, project: 'boutique' };

function line(partial: Partial<LogLine> & Pick<LogLine, 'timestamp' | 'message'>): LogLine {
  return { namespace: NS, project: 'boutique', environment: 'development', pod: 'pod-1', container: 'main', ...partial };
}

/** Runtime log lines over two UTC days (two daily indices). */
const RUNTIME_LINES: LogLine[] = [
  line({ timestamp: at(DAY1, '23:50:00.000'), component: 'frontend', level: 'INFO', message: 'GET /products 200' }),
  line({
    timestamp: at(DAY1, '23:55:00.000'),
    component: 'frontend',
    level: 'ERROR',
    message: 'upstream connect error: Connection REFUSED',
  }),
  line({ timestamp: at(DAY1, '23:59:59.999'), component: 'checkout', message: 'level=warn msg="slow downstream call"' }),
  line({ timestamp: at(DAY2, '00:00:00.000'), component: 'checkout', message: 'panic: runtime error: index out of range' }),
  line({
    timestamp: at(DAY2, '00:00:01.000'),
    component: 'checkout',
    environment: 'staging',
    level: 'DEBUG',
    message: 'cache miss for key cart:42',
  }),
  line({
    timestamp: at(DAY2, '00:05:00.000'),
    component: 'frontend',
    environment: 'staging',
    level: 'WARN',
    message: 'Retrying request after TIMEOUT',
  }),
  line({ timestamp: at(DAY2, '00:06:00.000'), component: 'cart', message: 'connected to redis at redis-cart:6379' }),
  line({ timestamp: at(DAY2, '00:07:00.000'), project: 'billing', component: 'invoice', message: 'Literal * star and ? question' }),
  line({ timestamp: at(DAY2, '00:07:01.000'), project: 'billing', component: 'invoice', message: 'back\\slash and log:* field syntax' }),
  line({ timestamp: at(DAY2, '00:07:02.000'), project: 'billing', component: 'invoice', message: 'user typed " OR 1=1 -- here' }),
  line({
    timestamp: at(DAY2, '00:07:03.000'),
    project: 'billing',
    component: 'invoice',
    message: 'payload {"query":{"match_all":{}}} echoed',
  }),
  line({ timestamp: at(DAY2, '00:07:04.000'), project: 'billing', component: 'invoice', message: 'nothing special *:* maybe' }),
  line({ timestamp: at(DAY2, '00:08:00.000'), project: 'quote"d', component: 'odd', message: 'line of a project with a quote' }),
  // Same names in another namespace: must never show up in acme queries.
  line({
    timestamp: at(DAY2, '00:01:00.000'),
    namespace: 'other',
    component: 'frontend',
    level: 'ERROR',
    message: 'GET /products error in other ns',
  }),
];

const WORKFLOW_LINES: LogLine[] = [
  { timestamp: at(DAY2, '01:00:00.000'), namespace: NS, runName: 'build-1', task: 'build', message: 'Step 3/5 : RUN npm ci' },
  {
    timestamp: at(DAY2, '01:00:05.000'),
    namespace: NS,
    runName: 'build-1',
    task: 'push',
    message: 'error: denied: requested access to the resource is denied',
  },
  {
    timestamp: at(DAY2, '01:01:00.000'),
    namespace: NS,
    runName: 'build-2',
    task: 'build',
    level: 'ERROR',
    message: 'Dockerfile not found: ./Dockerfile',
  },
  { timestamp: at(DAY2, '01:02:00.000'), namespace: 'other', runName: 'build-1', task: 'build', message: 'other namespace build' },
];

const ACME_RUNTIME = RUNTIME_LINES.filter((l) => l.namespace === NS);
const WINDOW_ALL = { start: new Date(at(DAY1, '00:00:00')), end: new Date(at(DAY2, '23:59:59')) };

/** Traces: T0 = day 2, 02:00. */
const T0 = ms(at(DAY2, '02:00:00.000'));
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

function span(
  traceId: string,
  spanId: string,
  parentSpanId: string,
  name: string,
  component: string,
  start: number,
  end: number,
  extra: Partial<SpanDetails> = {},
  scope: Partial<TelemetryScope> = {},
): SpanDetails {
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 'SERVER',
    service: component,
    startTime: iso(start),
    endTime: iso(end),
    durationMs: end - start,
    status: 'ok',
    scope: { namespace: NS, project: 'boutique', component, environment: 'development', ...scope },
    attributes: { 'http.method': 'GET', 'rpc.system': 'grpc' },
    resource: { 'service.name': component, 'k8s.pod.name': `${component}-abc` },
    ...extra,
  };
}

const MIN = 60_000;
const SPANS: SpanDetails[] = [
  // A: fast and fine, three services.
  span('trace-a', 'a1', '', 'GET /', 'frontend', 0, 120),
  span('trace-a', 'a2', 'a1', 'PlaceOrder', 'checkout', 10, 100),
  span('trace-a', 'a3', 'a2', 'GetCart', 'cart', 20, 40),
  // B: an error span.
  span('trace-b', 'b1', '', 'POST /cart', 'frontend', 1 * MIN, 1 * MIN + 200),
  span('trace-b', 'b2', 'b1', 'AddItem', 'cart', 1 * MIN + 10, 1 * MIN + 150, {
    status: 'error',
    statusMessage: 'redis: connection refused',
  }),
  // C: slow.
  span('trace-c', 'c1', '', 'GET /product', 'frontend', 2 * MIN, 2 * MIN + 3_000),
  span('trace-c', 'c2', 'c1', 'GetProduct', 'productcatalog', 2 * MIN + 10, 2 * MIN + 2_900),
  // D: root five minutes BEFORE T0, a child after T0.
  span('trace-d', 'd1', '', 'GET /old', 'frontend', -5 * MIN, 6_000),
  span('trace-d', 'd2', 'd1', 'PlaceOrder', 'checkout', 5_000, 5_500),
  // E: another namespace, in the window.
  span('trace-e', 'e1', '', 'GET /', 'frontend', 30_000, 30_100, {}, { namespace: 'other' }),
];
const TRACE_WINDOW = { start: new Date(T0), end: new Date(T0 + 10 * MIN) };

let url: string;
let backend: OpenSearchBackend;

beforeAll(async () => {
  url = await openSearchUrl();
  backend = createOpenSearchBackend({ url, logIndexPrefix: LOG_PREFIX, traceIndexPrefix: TRACE_PREFIX });
  await backend.ensureIndexTemplates({ replicas: 0 });
  await backend.indexLogLines([...RUNTIME_LINES, ...WORKFLOW_LINES], { refresh: true });
  await backend.indexSpans(SPANS, { refresh: true });
});

afterAll(async () => {
  if (!backend) return;
  for (const path of [
    `/${LOG_PREFIX}*`,
    `/${TRACE_PREFIX}*`,
    `/_index_template/plane-mcp-t${RUN}-logs`,
    `/_index_template/plane-mcp-t${RUN}-traces`,
  ]) {
    await backend.client.transport.request({ method: 'DELETE', path }).catch(() => undefined);
  }
  await backend.close();
});

const query = (scope: TelemetryScope, extra: Partial<Parameters<OpenSearchBackend['logs']['queryComponentLogs']>[0]> = {}) =>
  backend.logs.queryComponentLogs({ scope, window: WINDOW_ALL, limit: 100, sort: 'asc', ...extra });

describe('OpenSearch adapter: index layout and templates', () => {
  it('writes one daily index per UTC day with our mappings', async () => {
    const response = await backend.client.transport.request({ method: 'GET', path: `/${LOG_PREFIX}*/_mapping` });
    const indices = Object.keys(response.body as object).sort();
    expect(indices).toEqual([`${LOG_PREFIX}${DAY1}`, `${LOG_PREFIX}${DAY2}`]);
    const mapping = (response.body as Record<string, { mappings: { dynamic: string; properties: Record<string, { type?: string }> } }>)[
      indices[0]!
    ]!.mappings;
    expect(mapping.dynamic).toBe('false');
    expect(mapping.properties.log?.type).toBe('wildcard');
    expect(mapping.properties['@timestamp']?.type).toBe('date_nanos');
    const traceMapping = await backend.client.transport.request({ method: 'GET', path: `/${TRACE_PREFIX}*/_mapping` });
    const traceProps = Object.values(
      traceMapping.body as Record<string, { mappings: { properties: Record<string, Record<string, unknown>> } }>,
    )[0]!.mappings.properties;
    expect(traceProps.attributes).toMatchObject({ type: 'object', enabled: false });
    expect(traceProps.startTime).toMatchObject({ type: 'date_nanos' });
  });

  it('searches only the window’s days, collapsing whole months and years', () => {
    expect(windowIndices('p-', new Date('2026-03-10T23:00:00Z'), new Date('2026-03-11T01:00:00Z'))).toEqual([
      'p-2026-03-10',
      'p-2026-03-11',
    ]);
    expect(windowIndices('p-', new Date('2026-03-10T00:00:00Z'), new Date('2026-03-11T00:00:00Z'))).toEqual(['p-2026-03-10']);
    expect(windowIndices('p-', new Date('2025-12-31T12:00:00Z'), new Date('2027-02-02T00:00:00Z'))).toEqual([
      'p-2025-12-31',
      'p-2026-*',
      'p-2027-01-*',
      'p-2027-02-01',
    ]);
  });

  it('refuses unsafe configuration', () => {
    expect(() => createOpenSearchBackend({ url, logIndexPrefix: 'logs-*' })).toThrow(/invalid log index prefix/);
    expect(() => createOpenSearchBackend({ url, logIndexPrefix: 'a,b' })).toThrow(/invalid/);
    expect(() => createOpenSearchBackend({ url, fields: { logMessage: 'log*' } })).toThrow(/invalid OpenSearch field name/);
    expect(() => createOpenSearchBackend({ url: 'http://user:pw@127.0.0.1:9200' })).toThrow(/credentials/);
  });
});

describe('OpenSearch adapter: component logs', () => {
  it('returns the namespace’s runtime lines only (no other namespace, no workflow lines), in order', async () => {
    const page = await query({ namespace: NS });
    expect(page.lines.map((l) => l.message)).toEqual(ACME_RUNTIME.map((l) => l.message));
    expect(page.total).toBe(ACME_RUNTIME.length);
    expect(page.totalExact).toBe(true);
    const first = page.lines[0]!;
    expect(first).toMatchObject({
      timestamp: RUNTIME_LINES[0]!.timestamp,
      namespace: NS,
      project: 'boutique',
      component: 'frontend',
      environment: 'development',
      pod: 'pod-1',
      container: 'main',
      level: 'INFO',
    });
  });

  it('each scope label narrows the result', async () => {
    const boutique = await query(BOUTIQUE);
    expect(boutique.total).toBe(ACME_RUNTIME.filter((l) => l.project === 'boutique').length);
    const checkout = await query({ ...BOUTIQUE, component: 'checkout' });
    expect(checkout.lines.every((l) => l.component === 'checkout')).toBe(true);
    expect(checkout.total).toBe(3);
    const staging = await query({ ...BOUTIQUE, component: 'checkout', environment: 'staging' });
    expect(staging.lines.map((l) => l.message)).toEqual(['cache miss for key cart:42']);
    const billing = await query({ namespace: NS, project: 'billing' });
    expect(billing.total).toBe(5);
    expect(billing.lines.every((l) => l.component === 'invoice')).toBe(true);
  });

  it('filters by level: the keyword when present, else the level derived from the text', async () => {
    const errors = await query({ namespace: NS }, { levels: ['ERROR'] });
    expect(errors.lines.map((l) => l.message)).toEqual([
      'upstream connect error: Connection REFUSED',
      'panic: runtime error: index out of range',
    ]);
    expect(errors.lines.every((l) => l.level === 'ERROR')).toBe(true);
    const warn = await query({ namespace: NS }, { levels: ['WARN'] });
    expect(warn.lines.map((l) => l.message)).toEqual(['level=warn msg="slow downstream call"', 'Retrying request after TIMEOUT']);
    const warnOrDebug = await query({ namespace: NS }, { levels: ['WARN', 'DEBUG'] });
    expect(warnOrDebug.total).toBe(3);
    // Every line comes back with exactly one level, and the level filters partition the lines.
    let sum = 0;
    for (const level of ['DEBUG', 'INFO', 'WARN', 'ERROR'] as LogLevel[]) {
      const page = await query({ namespace: NS }, { levels: [level] });
      expect(page.lines.every((l) => l.level === level)).toBe(true);
      sum += page.total;
    }
    expect(sum).toBe(ACME_RUNTIME.length);
  });

  it('filter and returned level agree for text-derived levels (same rules in the query and in code)', async () => {
    const texts = [
      '{"level":"error","msg":"boom"}',
      '{"level": "info", "msg": "recovered from error"}',
      'LEVEL=WARNING disk almost full',
      'lvl=debug cache hit',
      'severity: ERR something',
      'time=1 level=info msg=ok',
      'plain text without any marker',
      'WARN: deprecated flag',
      'Information: started',
      'a fatal mistake',
      'debug: x=1 but also info',
      'traceId=abc spanId=def',
      'multi\nline with ERROR on the second line',
      'levelname=DEBUG',
    ];
    const ns = 'levels-corpus';
    await backend.indexLogLines(
      texts.map((message, i) => ({ timestamp: new Date(ms(at(DAY2, '03:00:00')) + i).toISOString(), namespace: ns, message })),
      { refresh: true },
    );
    for (const level of ['DEBUG', 'INFO', 'WARN', 'ERROR'] as LogLevel[]) {
      const page = await query({ namespace: ns }, { levels: [level] });
      expect(page.lines.map((l) => l.message).sort(), level).toEqual(texts.filter((t) => deriveLevel(t) === level).sort());
    }
  });

  it('search phrase: case-insensitive substring', async () => {
    const refused = await query({ namespace: NS }, { search: 'connection refused' });
    expect(refused.lines.map((l) => l.message)).toEqual(['upstream connect error: Connection REFUSED']);
    const rror = await query({ namespace: NS }, { search: 'RROR' });
    expect(rror.total).toBe(2);
    const empty = await query({ namespace: NS }, { search: '' });
    expect(empty.total).toBe(ACME_RUNTIME.length);
  });

  it('limit and sort; total counts every match', async () => {
    const desc = await query({ namespace: NS }, { limit: 2, sort: 'desc' });
    expect(desc.lines.map((l) => l.timestamp)).toEqual([at(DAY2, '00:08:00.000'), at(DAY2, '00:07:04.000')]);
    expect(desc.total).toBe(ACME_RUNTIME.length);
    const asc = await query({ namespace: NS }, { limit: 1, sort: 'asc' });
    expect(asc.lines.map((l) => l.timestamp)).toEqual([at(DAY1, '23:50:00.000')]);
    const none = await query({ namespace: NS }, { limit: 0 });
    expect(none.lines).toEqual([]);
    expect(none.total).toBe(ACME_RUNTIME.length);
    await expect(query({ namespace: NS }, { limit: -1 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(query({ namespace: NS }, { limit: 1.5 })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('caps size at maxResultWindow and reports a capped total as inexact', async () => {
    const capped = createOpenSearchBackend({ url, logIndexPrefix: LOG_PREFIX, maxResultWindow: 3, trackTotalHitsUpTo: 4 });
    try {
      const page = await capped.logs.queryComponentLogs({ scope: { namespace: NS }, window: WINDOW_ALL, limit: 1_000_000, sort: 'asc' });
      expect(page.lines).toHaveLength(3);
      expect(page.total).toBe(4);
      expect(page.totalExact).toBe(false);
    } finally {
      await capped.close();
    }
  });

  it('window boundaries across the day-index boundary are half-open [start, end)', async () => {
    const around = await query(
      { namespace: NS },
      { window: { start: new Date(at(DAY1, '23:59:59.999')), end: new Date(at(DAY2, '00:00:00.001')) } },
    );
    expect(around.lines.map((l) => l.timestamp)).toEqual([at(DAY1, '23:59:59.999'), at(DAY2, '00:00:00.000')]);
    const endExclusive = await query(
      { namespace: NS },
      { window: { start: new Date(at(DAY1, '23:59:00')), end: new Date(at(DAY2, '00:00:00.000')) } },
    );
    expect(endExclusive.lines.map((l) => l.timestamp)).toEqual([at(DAY1, '23:59:59.999')]);
    const day2Only = await query(
      { namespace: NS },
      { window: { start: new Date(at(DAY2, '00:00:00.000')), end: new Date(at(DAY2, '00:00:00.500')) } },
    );
    expect(day2Only.lines.map((l) => l.message)).toEqual(['panic: runtime error: index out of range']);
    await expect(
      query({ namespace: NS }, { window: { start: new Date(at(DAY2, '01:00:00')), end: new Date(at(DAY1, '01:00:00')) } }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('counts matching lines exactly', async () => {
    expect(await backend.logs.countComponentLogs({ scope: { namespace: NS }, window: WINDOW_ALL })).toBe(ACME_RUNTIME.length);
    expect(await backend.logs.countComponentLogs({ scope: BOUTIQUE, window: WINDOW_ALL, levels: ['ERROR'] })).toBe(2);
    expect(await backend.logs.countComponentLogs({ scope: { namespace: NS }, window: WINDOW_ALL, search: 'nothing matches this' })).toBe(0);
  });

  it('an empty window (no index for those days) is an empty page, not an error', async () => {
    const page = await query(
      { namespace: NS },
      { window: { start: new Date('2020-01-01T00:00:00Z'), end: new Date('2020-01-02T00:00:00Z') } },
    );
    expect(page).toEqual({ lines: [], total: 0, totalExact: true });
  });
});

describe('OpenSearch adapter: workflow logs', () => {
  const workflow = (extra: Partial<Parameters<OpenSearchBackend['logs']['queryWorkflowLogs']>[0]> = {}) =>
    backend.logs.queryWorkflowLogs({ namespace: NS, window: WINDOW_ALL, limit: 100, sort: 'asc', ...extra });

  it('selects by run and task through our labels, never component logs', async () => {
    const all = await workflow();
    expect(all.lines.map((l) => l.message)).toEqual(WORKFLOW_LINES.filter((l) => l.namespace === NS).map((l) => l.message));
    const run1 = await workflow({ runName: 'build-1' });
    expect(run1.lines.map((l) => l.task)).toEqual(['build', 'push']);
    expect(run1.lines[0]).toMatchObject({ runName: 'build-1', task: 'build', namespace: NS });
    const push = await workflow({ runName: 'build-1', task: 'push' });
    expect(push.lines.map((l) => l.message)).toEqual(['error: denied: requested access to the resource is denied']);
  });

  it('applies levels and the search phrase (OpenChoreo ignored both)', async () => {
    const errors = await workflow({ levels: ['ERROR'] });
    expect(errors.total).toBe(2);
    const docker = await workflow({ search: 'dockerfile' });
    expect(docker.lines.map((l) => l.runName)).toEqual(['build-2']);
  });
});

describe('OpenSearch adapter: injection attempts match literally or not at all', () => {
  const phrases = [
    '*',
    '?',
    '\\',
    '*:*',
    'log:*',
    '" OR 1=1',
    '{"query":{"match_all":{}}}',
    ') OR (1=1',
    'a*b',
    '.*',
    '*star',
    '\\*',
    '"',
    "'",
    '{',
    '}',
  ];

  it.each(phrases)('search phrase %j', async (phrase) => {
    const page = await query({ namespace: NS }, { search: phrase });
    const expected = ACME_RUNTIME.filter((l) => l.message.toLowerCase().includes(phrase.toLowerCase())).map((l) => l.message);
    if (phrase.includes('\\')) {
      // OpenSearch 2.x `wildcard` fields match no escaped backslash (see escapeWildcard): a subset, never more.
      expect(expected).toEqual(expect.arrayContaining(page.lines.map((l) => l.message)));
      expect(page.total).toBe(page.lines.length);
      return;
    }
    expect(page.lines.map((l) => l.message)).toEqual(expected);
    expect(page.total).toBe(expected.length);
  });

  it('phrases present in the data are found literally', async () => {
    expect((await query({ namespace: NS }, { search: '*' })).total).toBe(3); // "star", "log:*" and "*:*" lines
    expect((await query({ namespace: NS }, { search: '?' })).total).toBe(1);
    expect((await query({ namespace: NS }, { search: '" OR 1=1' })).total).toBe(1);
    expect((await query({ namespace: NS }, { search: '{"query":{"match_all":{}}}' })).total).toBe(1);
  });

  it('escapes exactly the wildcard metacharacters', () => {
    expect(escapeWildcard('a*b?c\\d"e')).toBe('a\\*b\\?c\\\\d"e');
  });

  const hostileNames = ['*', 'acme*', 'ac?e', '" OR 1=1', 'acme OR other', '{"match_all":{}}', '*:*', 'acme\\', '.*', 'acme"', ''];

  it.each(hostileNames.filter(Boolean))('scope values are exact terms: namespace/project/component/environment %j', async (value) => {
    expect((await query({ namespace: value })).total).toBe(0);
    expect((await query({ namespace: NS, project: value })).total).toBe(0);
    expect((await query({ namespace: NS, component: value })).total).toBe(0);
    expect((await query({ namespace: NS, environment: value })).total).toBe(0);
    expect(
      (await backend.logs.queryWorkflowLogs({ namespace: NS, runName: value, window: WINDOW_ALL, limit: 10, sort: 'asc' })).total,
    ).toBe(0);
    expect((await backend.logs.queryWorkflowLogs({ namespace: NS, task: value, window: WINDOW_ALL, limit: 10, sort: 'asc' })).total).toBe(
      0,
    );
    expect((await backend.traces.queryTraces({ scope: { namespace: value }, window: TRACE_WINDOW, limit: 10, sort: 'asc' })).total).toBe(0);
    expect(
      (await backend.traces.queryTraces({ scope: { namespace: NS, component: value }, window: TRACE_WINDOW, limit: 10, sort: 'asc' }))
        .total,
    ).toBe(0);
    expect((await backend.traces.traceSpans({ traceId: value, scope: { namespace: NS }, limit: 10 })).total).toBe(0);
    expect((await backend.traces.traceSpans({ traceId: 'trace-a', scope: { namespace: NS, project: value }, limit: 10 })).total).toBe(0);
    expect(await backend.traces.getSpan(value, value)).toBeUndefined();
    expect(await backend.traces.getSpan('trace-a', value)).toBeUndefined();
  });

  it('levels and sort are closed sets; anything else is refused', async () => {
    await expect(query({ namespace: NS }, { levels: ['ERROR OR 1=1' as LogLevel] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(query({ namespace: NS }, { levels: ['*' as LogLevel] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(query({ namespace: NS }, { sort: 'desc; drop' as 'desc' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(query({ namespace: NS }, { search: 'x'.repeat(1_001) })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('an empty namespace is refused, not treated as "any"', async () => {
    await expect(query({ namespace: '' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(query({ namespace: NS, project: '' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('a project name with a quote matches itself exactly', async () => {
    const page = await query({ namespace: NS, project: 'quote"d' });
    expect(page.lines.map((l) => l.message)).toEqual(['line of a project with a quote']);
  });
});

describe('OpenSearch adapter: traces', () => {
  const traces = (extra: Partial<Parameters<OpenSearchBackend['traces']['queryTraces']>[0]> = {}) =>
    backend.traces.queryTraces({ scope: { namespace: NS }, window: TRACE_WINDOW, limit: 10, sort: 'asc', ...extra });

  it('groups spans by trace; keeps traces whose root starts in the window; other namespaces never', async () => {
    const page = await traces();
    expect(page.traces.map((t) => t.traceId)).toEqual(['trace-a', 'trace-b', 'trace-c']);
    expect(page.total).toBe(3);
    expect(page.totalExact).toBe(true);
    expect(page.traces[0]).toEqual({
      traceId: 'trace-a',
      name: 'GET /',
      rootService: 'frontend',
      startTime: iso(0),
      endTime: iso(120),
      durationMs: 120,
      spanCount: 3,
      errorSpanCount: 0,
      services: ['cart', 'checkout', 'frontend'],
    });
    // Widen the window to before trace D's root: now it counts.
    const wider = await traces({ window: { start: new Date(T0 - 10 * MIN), end: TRACE_WINDOW.end } });
    expect(wider.traces.map((t) => t.traceId)).toEqual(['trace-d', 'trace-a', 'trace-b', 'trace-c']);
    expect(wider.traces[0]).toMatchObject({ name: 'GET /old', durationMs: 5 * MIN + 6_000, spanCount: 2 });
  });

  it('errorsOnly and minDurationMs', async () => {
    const errors = await traces({ errorsOnly: true });
    expect(errors.traces.map((t) => [t.traceId, t.errorSpanCount])).toEqual([['trace-b', 1]]);
    expect(errors.total).toBe(1);
    const slow = await traces({ minDurationMs: 1_000 });
    expect(slow.traces.map((t) => t.traceId)).toEqual(['trace-c']);
    expect(slow.traces[0]).toMatchObject({ durationMs: 3_000, services: ['frontend', 'productcatalog'] });
    expect((await traces({ minDurationMs: 120 })).traces.map((t) => t.traceId)).toEqual(['trace-a', 'trace-b', 'trace-c']);
    expect((await traces({ minDurationMs: 121 })).traces.map((t) => t.traceId)).toEqual(['trace-b', 'trace-c']);
    expect((await traces({ errorsOnly: true, minDurationMs: 1_000 })).total).toBe(0);
  });

  it('sort, limit and total', async () => {
    const desc = await traces({ sort: 'desc', limit: 2 });
    expect(desc.traces.map((t) => t.traceId)).toEqual(['trace-c', 'trace-b']);
    expect(desc.total).toBe(3);
    const count = await traces({ limit: 0 });
    expect(count).toEqual({ traces: [], total: 3, totalExact: true });
  });

  it('reports the total as inexact when there are more traces than candidates', async () => {
    const small = createOpenSearchBackend({ url, traceIndexPrefix: TRACE_PREFIX, maxTraceCandidates: 2 });
    try {
      const page = await small.traces.queryTraces({ scope: { namespace: NS }, window: TRACE_WINDOW, limit: 10, sort: 'desc' });
      expect(page.totalExact).toBe(false);
      expect(page.traces.map((t) => t.traceId)).toEqual(['trace-c', 'trace-b']);
    } finally {
      await small.close();
    }
  });

  it('a component scope sees only its spans: entry span, services and counts come from them', async () => {
    const page = await traces({ scope: { ...BOUTIQUE, component: 'checkout' } });
    const a = page.traces.find((t) => t.traceId === 'trace-a');
    expect(a).toMatchObject({ name: 'PlaceOrder', rootService: 'checkout', services: ['checkout'], spanCount: 1, durationMs: 90 });
    expect(page.traces.map((t) => t.traceId)).not.toContain('trace-b');
    const cart = await traces({ scope: { ...BOUTIQUE, component: 'cart' }, errorsOnly: true });
    expect(cart.traces.map((t) => t.traceId)).toEqual(['trace-b']);
    expect((await traces({ scope: { ...BOUTIQUE, environment: 'production' } })).total).toBe(0);
  });

  it('traceSpans returns the trace’s spans in start order, restricted to the scope', async () => {
    const all = await backend.traces.traceSpans({ traceId: 'trace-a', scope: { namespace: NS }, limit: 100 });
    expect(all.spans.map((s) => s.spanId)).toEqual(['a1', 'a2', 'a3']);
    expect(all.total).toBe(3);
    expect(all.spans[0]).toEqual({
      traceId: 'trace-a',
      spanId: 'a1',
      name: 'GET /',
      kind: 'SERVER',
      service: 'frontend',
      startTime: iso(0),
      endTime: iso(120),
      durationMs: 120,
      status: 'ok',
      scope: { namespace: NS, project: 'boutique', component: 'frontend', environment: 'development' },
    });
    expect(all.spans[1]!.parentSpanId).toBe('a1');
    const scoped = await backend.traces.traceSpans({ traceId: 'trace-a', scope: { ...BOUTIQUE, component: 'checkout' }, limit: 100 });
    expect(scoped.spans.map((s) => s.spanId)).toEqual(['a2']);
    expect(scoped.total).toBe(1);
    const limited = await backend.traces.traceSpans({ traceId: 'trace-a', scope: { namespace: NS }, limit: 1 });
    expect(limited.spans).toHaveLength(1);
    expect(limited.total).toBe(3);
    const windowed = await backend.traces.traceSpans({ traceId: 'trace-d', scope: { namespace: NS }, limit: 10, window: TRACE_WINDOW });
    expect(windowed.spans.map((s) => s.spanId)).toEqual(['d2']);
    const otherNs = await backend.traces.traceSpans({ traceId: 'trace-e', scope: { namespace: NS }, limit: 10 });
    expect(otherNs.total).toBe(0);
  });

  it('getSpan returns one span with attributes and resource, unscoped, and its own scope', async () => {
    const details = await backend.traces.getSpan('trace-b', 'b2');
    expect(details).toMatchObject({
      traceId: 'trace-b',
      spanId: 'b2',
      parentSpanId: 'b1',
      name: 'AddItem',
      status: 'error',
      statusMessage: 'redis: connection refused',
      service: 'cart',
      durationMs: 140,
      scope: { namespace: NS, project: 'boutique', component: 'cart', environment: 'development' },
      attributes: { 'http.method': 'GET', 'rpc.system': 'grpc' },
    });
    expect(details!.resource).toMatchObject({ 'service.name': 'cart', 'k8s.pod.name': 'cart-abc', 'openchoreo.dev/namespace': NS });
    expect((await backend.traces.getSpan('trace-e', 'e1'))?.scope.namespace).toBe('other');
    expect(await backend.traces.getSpan('trace-b', 'nope')).toBeUndefined();
    expect(await backend.traces.getSpan('trace-a', 'b2')).toBeUndefined();
  });
});

describe('OpenSearch adapter: upstream failures', () => {
  const servers: (Server | HttpServer)[] = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function listen(server: Server | HttpServer): Promise<string> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }

  async function closedPortUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }

  const every = (down: OpenSearchBackend) => [
    () => down.logs.queryComponentLogs({ scope: { namespace: NS }, window: WINDOW_ALL, limit: 10, sort: 'asc' }),
    () => down.logs.queryWorkflowLogs({ namespace: NS, window: WINDOW_ALL, limit: 10, sort: 'asc' }),
    () => down.logs.countComponentLogs({ scope: { namespace: NS }, window: WINDOW_ALL }),
    () => down.traces.queryTraces({ scope: { namespace: NS }, window: TRACE_WINDOW, limit: 10, sort: 'asc' }),
    () => down.traces.traceSpans({ traceId: 'x', scope: { namespace: NS }, limit: 10 }),
    () => down.traces.getSpan('x', 'y'),
  ];

  it('a closed port: UpstreamUnavailableError at once, ping false', async () => {
    const down = createOpenSearchBackend({ url: await closedPortUrl(), requestTimeoutMs: 2_000 });
    try {
      for (const call of every(down)) {
        const started = Date.now();
        await expect(call()).rejects.toBeInstanceOf(UpstreamUnavailableError);
        expect(Date.now() - started).toBeLessThan(2_000);
      }
      expect(await down.ping()).toBe(false);
    } finally {
      await down.close();
    }
  });

  it('a server that accepts and never answers: UpstreamUnavailableError after the request timeout, no hang', async () => {
    const silent = createServer((socket) => sockets.push(socket));
    const down = createOpenSearchBackend({ url: await listen(silent), requestTimeoutMs: 500 });
    try {
      const started = Date.now();
      await expect(
        down.logs.queryComponentLogs({ scope: { namespace: NS }, window: WINDOW_ALL, limit: 10, sort: 'asc' }),
      ).rejects.toBeInstanceOf(UpstreamUnavailableError);
      expect(Date.now() - started).toBeLessThan(2_500);
      const pingStarted = Date.now();
      expect(await down.ping()).toBe(false);
      expect(Date.now() - pingStarted).toBeLessThan(2_500);
    } finally {
      await down.close();
    }
  });

  it('malformed answers (wrong shape, not JSON, 503) are upstream errors', async () => {
    const answers = [
      { status: 200, type: 'application/json', body: '{"hello":"world"}' },
      { status: 200, type: 'application/json', body: '{"_shards":{"failed":0},"hits":{"hits":"nope","total":1}}' },
      { status: 200, type: 'application/json', body: '{not json' },
      { status: 503, type: 'application/json', body: '{"error":{"type":"cluster_block_exception","reason":"blocked"}}' },
      {
        status: 200,
        type: 'application/json',
        body: '{"_shards":{"failed":1,"failures":[{"reason":{"type":"x"}}]},"hits":{"hits":[],"total":0}}',
      },
    ];
    for (const answer of answers) {
      const server = createHttpServer((request, response) => {
        request.resume();
        response.writeHead(answer.status, { 'content-type': answer.type });
        response.end(answer.body);
      });
      const down = createOpenSearchBackend({ url: await listen(server), requestTimeoutMs: 2_000 });
      try {
        for (const call of every(down)) await expect(call(), answer.body).rejects.toBeInstanceOf(UpstreamUnavailableError);
      } finally {
        await down.close();
      }
    }
  });

  it('ping is true against the real server', async () => {
    expect(await backend.ping()).toBe(true);
  });
});
