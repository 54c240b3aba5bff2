/**
 * `tsx test/bench/embedded-store.ts [lines] [spans]`: the embedded telemetry store with 1,000,000 log
 * lines and 1,000,000 spans (24 h, 150 scopes), timing the queries the tools make. Not part of the test
 * suite; numbers depend on the machine.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel, TelemetryScope } from '../../servers/observability-plane/backends/telemetry-backend.js';
import {
  TelemetryStore,
  type LogRecordInput,
  type SpanInput,
} from '../../servers/observability-plane/backends/embedded/store/telemetry-store.js';

const LINES = Number(process.argv[2] ?? 1_000_000);
const SPANS = Number(process.argv[3] ?? 1_000_000);
const BATCH = 10_000;
const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'plane-mcp-embedded-bench-'));
const file = join(dir, 'observability.sqlite');
const store = new TelemetryStore(file, { sweepIntervalMs: 0 });
const now = Date.now();
const start = now - DAY;

// 5 projects × 10 components × 3 environments in one namespace.
const projects = ['shop', 'billing', 'search', 'identity', 'media'];
const components = ['frontend', 'cart', 'checkout', 'catalog', 'payment', 'shipping', 'email', 'currency', 'ads', 'recommendation'];
const environments = ['development', 'staging', 'production'];
const scopes: TelemetryScope[] = projects.flatMap((project) =>
  components.flatMap((component) => environments.map((environment) => ({ namespace: 'default', project, component, environment }))),
);
const levels: LogLevel[] = ['DEBUG', 'INFO', 'INFO', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR'];
const words = [
  'request served',
  'cache miss',
  'redis timeout after 3s',
  'rpc error: code = Unavailable',
  'user logged in',
  'order placed',
  'retrying',
  'GET /api/v1/items 200',
];

let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function time<T>(work: () => T): { result: T; ms: number } {
  const begin = performance.now();
  const result = work();
  return { result, ms: performance.now() - begin };
}

const insertLogs = time(() => {
  for (let done = 0; done < LINES; done += BATCH) {
    const batch: LogRecordInput[] = [];
    for (let i = done; i < Math.min(LINES, done + BATCH); i++) {
      const level = pick(levels);
      batch.push({
        timeUs: (start + Math.floor((i / LINES) * DAY)) * 1000,
        level,
        message: `${level.toLowerCase()} ${pick(words)} id=${i}`,
        scope: pick(scopes),
        pod: 'pod-1',
        container: 'main',
      });
    }
    store.insertLogs(batch);
  }
});

const SPANS_PER_TRACE = 5;
const insertSpans = time(() => {
  const traces = Math.floor(SPANS / SPANS_PER_TRACE);
  let batch: SpanInput[] = [];
  for (let t = 0; t < traces; t++) {
    const traceStart = start + Math.floor((t / traces) * DAY);
    const project = pick(projects);
    const environment = pick(environments);
    const traceId = t.toString(16).padStart(32, '0');
    const failed = random() < 0.02;
    for (let s = 0; s < SPANS_PER_TRACE; s++) {
      const component = s === 0 ? 'frontend' : pick(components.slice(1));
      const offset = s * 5;
      const duration = s === 0 ? 50 + Math.floor(random() * 2000) : 5 + Math.floor(random() * 40);
      batch.push({
        traceId,
        spanId: (t * SPANS_PER_TRACE + s + 1).toString(16).padStart(16, '0'),
        ...(s === 0 ? {} : { parentSpanId: (t * SPANS_PER_TRACE + 1).toString(16).padStart(16, '0') }),
        name: s === 0 ? 'GET /cart' : `${component}/Call`,
        kind: s === 0 ? 'SERVER' : 'CLIENT',
        service: component,
        startUs: (traceStart + offset) * 1000,
        endUs: (traceStart + offset + duration) * 1000,
        status: failed && s === SPANS_PER_TRACE - 1 ? 'error' : 'ok',
        scope: { namespace: 'default', project, component, environment },
        attributes: { 'http.method': 'GET' },
      });
    }
    if (batch.length >= BATCH) {
      store.insertSpans(batch);
      batch = [];
    }
  }
  if (batch.length > 0) store.insertSpans(batch);
});
const optimize = time(() => store.optimize()); // what the periodic retention sweep does after loading

async function measure(name: string, runs: number, work: () => Promise<{ count: number; total: number }>): Promise<void> {
  const times: number[] = [];
  let last = { count: 0, total: 0 };
  for (let i = 0; i < runs; i++) {
    const begin = performance.now();
    last = await work();
    times.push(performance.now() - begin);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `| ${name} | ${last.count} | ${last.total} | ${mean.toFixed(2)} | ${(times[Math.floor(times.length / 2)] ?? 0).toFixed(2)} | ${(times[times.length - 1] ?? 0).toFixed(2)} |`,
  );
}

const lastHour = { start: new Date(now - HOUR), end: new Date(now) };
const wholeDay = { start: new Date(start), end: new Date(now + 1) };
const component: TelemetryScope = { namespace: 'default', project: 'shop', component: 'cart', environment: 'production' };
const logs = async (q: Partial<Parameters<TelemetryStore['queryComponentLogs']>[0]>) => {
  const page = await store.queryComponentLogs({ scope: component, window: lastHour, limit: 100, sort: 'desc', ...q });
  return { count: page.lines.length, total: page.total };
};
const traces = async (q: Partial<Parameters<TelemetryStore['queryTraces']>[0]>) => {
  const page = await store.queryTraces({ scope: component, window: lastHour, limit: 100, sort: 'desc', ...q });
  return { count: page.traces.length, total: page.total };
};

console.log(
  `\n## Embedded store: ${LINES.toLocaleString('en')} log lines, ${SPANS.toLocaleString('en')} spans over 24 h, ${scopes.length} scopes`,
);
console.log(
  `insert logs: ${(insertLogs.ms / 1000).toFixed(1)} s (${Math.round(LINES / (insertLogs.ms / 1000)).toLocaleString('en')} lines/s, batches of ${BATCH} in one transaction each)`,
);
console.log(
  `insert spans: ${(insertSpans.ms / 1000).toFixed(1)} s (${Math.round(SPANS / (insertSpans.ms / 1000)).toLocaleString('en')} spans/s)`,
);
console.log(`PRAGMA optimize after loading: ${optimize.ms.toFixed(0)} ms`);
console.log(`database file: ${(statSync(file).size / 1024 / 1024).toFixed(0)} MiB (+ WAL)`);
console.log('\n| query | returned | total | mean ms | p50 ms | max ms |');
console.log('|---|---|---|---|---|---|');
await measure('component logs, 1 h, limit 100', 20, () => logs({}));
await measure('component logs, 1 h, ERROR + search "timeout"', 20, () => logs({ levels: ['ERROR'], search: 'timeout' }));
await measure('component logs, 24 h, search "Unavailable"', 10, () => logs({ window: wholeDay, search: 'Unavailable' }));
await measure('project+environment logs, 1 h', 20, () =>
  logs({ scope: { namespace: 'default', project: 'shop', environment: 'production' } }),
);
await measure('namespace logs, 1 h (total capped at 10,000)', 20, () => logs({ scope: { namespace: 'default' } }));
await measure('namespace logs, 24 h, search "id=99999"', 5, () =>
  logs({ scope: { namespace: 'default' }, window: wholeDay, search: 'id=99999' }),
);
await measure('countComponentLogs, component, 1 h, ERROR', 20, async () => ({
  count: 0,
  total: await store.countComponentLogs({ scope: component, window: lastHour, levels: ['ERROR'] }),
}));
await measure('queryTraces, component, 1 h', 20, () => traces({}));
await measure('queryTraces, component, 1 h, errorsOnly', 20, () => traces({ errorsOnly: true }));
await measure('queryTraces, project, 1 h', 20, () => traces({ scope: { namespace: 'default', project: 'shop' } }));
await measure('queryTraces, namespace, 1 h', 10, () => traces({ scope: { namespace: 'default' } }));
await measure('queryTraces, namespace, 1 h, minDuration 1500 ms', 10, () =>
  traces({ scope: { namespace: 'default' }, minDurationMs: 1500 }),
);
await measure('queryTraces, namespace, 24 h, limit 20', 3, () => traces({ scope: { namespace: 'default' }, window: wholeDay, limit: 20 }));
await measure('traceSpans, one trace', 20, async () => {
  const result = await store.traceSpans({ traceId: (1000).toString(16).padStart(32, '0'), scope: { namespace: 'default' }, limit: 100 });
  return { count: result.spans.length, total: result.total };
});

await store.close();
rmSync(dir, { recursive: true, force: true });
