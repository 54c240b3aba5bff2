import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import type { MetricPoint, TelemetryScope } from '../backends/telemetry-backend.js';
import { authorizeScope } from './support/access.js';
import { observabilityTool } from './support/define.js';
import {
  describeWindow,
  resolveWindow,
  scopeArguments,
  scopeOf,
  scopeOutput,
  windowArguments,
  windowOutput,
  type QueryLimits,
  type ResolvedWindow,
} from './support/query-arguments.js';
import { emptyResultHints, windowHints } from './support/result-hints.js';

const STEPS = { '1m': 60, '5m': 300, '15m': 900, '30m': 1800, '1h': 3600 } as const;
const stepArgument = z
  .enum(Object.keys(STEPS) as [keyof typeof STEPS, ...Array<keyof typeof STEPS>])
  .optional()
  .describe('Resolution; default keeps about 30 points');

/** The requested step, or one that keeps a series to about 30 points (never under a minute). */
function stepSecondsFor(step: keyof typeof STEPS | undefined, window: ResolvedWindow): number {
  if (step) return STEPS[step];
  return Math.max(60, Math.ceil((window.end.getTime() - window.start.getTime()) / 1000 / 30 / 60) * 60);
}

const pointsView = z.array(z.object({ timestamp: z.string(), value: z.number() }));
const statsView = z.object({ latest: z.number().nullable(), average: z.number().nullable(), max: z.number().nullable() });

function stats(points: MetricPoint[]) {
  if (points.length === 0) return { latest: null, average: null, max: null };
  const values = points.map((point) => point.value);
  return {
    latest: round(values[values.length - 1]!),
    average: round(values.reduce((a, b) => a + b, 0) / values.length),
    max: round(Math.max(...values)),
  };
}
const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** Run one metrics query for the arguments and summarise every series it returns. */
async function querySeries<Series extends object>(
  input: {
    namespace: string;
    project?: string | undefined;
    component?: string | undefined;
    environment?: string | undefined;
    start_time?: string | undefined;
    end_time?: string | undefined;
    step?: keyof typeof STEPS | undefined;
  },
  limits: QueryLimits,
  query: (request: { scope: TelemetryScope; window: ResolvedWindow; stepSeconds: number }) => Promise<Series>,
) {
  const scope = scopeOf(input);
  const window = resolveWindow(input, limits);
  const stepSeconds = stepSecondsFor(input.step, window);
  const metrics = await query({ scope, window, stepSeconds });
  const entries = Object.entries(metrics) as Array<[keyof Series, MetricPoint[]]>;
  const summary = Object.fromEntries(entries.map(([name, points]) => [name, stats(points)])) as Record<
    keyof Series,
    ReturnType<typeof stats>
  >;
  const empty = entries.every(([, points]) => points.length === 0);
  return {
    scope,
    window,
    stepSeconds,
    metrics: metrics as Series & Record<string, MetricPoint[]>,
    summary,
    hints: [...windowHints(window), ...(empty ? emptyResultHints('metrics', scope, window, false) : [])],
  };
}
const ratio = (usage: number | null, reference: number | null) =>
  usage === null || reference === null || reference === 0 ? null : round(usage / reference);

export const queryResourceMetrics = observabilityTool({
  name: 'query_resource_metrics',
  title: 'Query resource metrics',
  description:
    'CPU (cores) and memory (bytes) usage against requests and limits over a window, with utilisation ratios: for right-sizing, constraints and leaks.',
  toolset: 'metrics',
  kind: 'read',
  openWorld: true,
  scope: SCOPES.observabilityRead,
  input: z.object({
    ...scopeArguments,
    ...windowArguments,
    step: stepArgument,
    include_series: z.boolean().default(false).describe('Also return every point'),
  }),
  output: z.object({
    scope: scopeOutput,
    window: windowOutput,
    stepSeconds: z.number(),
    summary: z.object({
      cpuUsage: statsView,
      cpuRequests: statsView,
      cpuLimits: statsView,
      memoryUsage: statsView,
      memoryRequests: statsView,
      memoryLimits: statsView,
      cpuUtilisationOfRequests: z.number().nullable().describe('average usage / latest request'),
      memoryUtilisationOfRequests: z.number().nullable(),
    }),
    series: z.record(z.string(), pointsView).optional(),
    hints: z.array(z.string()),
  }),
  authorization: authorizeScope('metrics:view'),
  handler: async (input, { deps }) => {
    const { scope, window, stepSeconds, metrics, summary, hints } = await querySeries(input, deps.limits, (request) =>
      deps.telemetry.metrics.resourceMetrics(request),
    );
    return {
      scope,
      window: describeWindow(window),
      stepSeconds,
      summary: {
        ...summary,
        cpuUtilisationOfRequests: ratio(summary.cpuUsage.average, summary.cpuRequests.latest),
        memoryUtilisationOfRequests: ratio(summary.memoryUsage.average, summary.memoryRequests.latest),
      },
      ...(input.include_series ? { series: metrics } : {}),
      hints,
    };
  },
  summarize: (result) => {
    const { summary } = result;
    return `cpu avg ${summary.cpuUsage.average ?? '-'} cores (request ${summary.cpuRequests.latest ?? '-'}, limit ${summary.cpuLimits.latest ?? '-'}, ${summary.cpuUtilisationOfRequests === null ? '-' : `${Math.round(summary.cpuUtilisationOfRequests * 100)}%`} of request); memory avg ${summary.memoryUsage.average ?? '-'} bytes (request ${summary.memoryRequests.latest ?? '-'}, limit ${summary.memoryLimits.latest ?? '-'}, ${summary.memoryUtilisationOfRequests === null ? '-' : `${Math.round(summary.memoryUtilisationOfRequests * 100)}%`} of request)`;
  },
});

export const queryHttpMetrics = observabilityTool({
  name: 'query_http_metrics',
  title: 'Query HTTP metrics',
  description: 'Request rate (req/s), error ratio and latency percentiles (p50/p90/p99, ms) over a window.',
  toolset: 'metrics',
  kind: 'read',
  openWorld: true,
  scope: SCOPES.observabilityRead,
  input: z.object({
    ...scopeArguments,
    ...windowArguments,
    step: stepArgument,
    include_series: z.boolean().default(false).describe('Also return every point'),
  }),
  output: z.object({
    scope: scopeOutput,
    window: windowOutput,
    stepSeconds: z.number(),
    summary: z.object({
      requestRate: statsView,
      errorRate: statsView,
      latencyP50Ms: statsView,
      latencyP90Ms: statsView,
      latencyP99Ms: statsView,
    }),
    series: z.record(z.string(), pointsView).optional(),
    hints: z.array(z.string()),
  }),
  authorization: authorizeScope('metrics:view'),
  handler: async (input, { deps }) => {
    const { scope, window, stepSeconds, metrics, summary, hints } = await querySeries(input, deps.limits, (request) =>
      deps.telemetry.metrics.httpMetrics(request),
    );
    return { scope, window: describeWindow(window), stepSeconds, summary, ...(input.include_series ? { series: metrics } : {}), hints };
  },
  summarize: (result) =>
    `requests avg ${result.summary.requestRate.average ?? '-'}/s, errors avg ${result.summary.errorRate.average === null ? '-' : `${Math.round(result.summary.errorRate.average * 1000) / 10}%`} (max ${result.summary.errorRate.max ?? '-'}), p50 ${result.summary.latencyP50Ms.average ?? '-'}ms, p99 ${result.summary.latencyP99Ms.average ?? '-'}ms`,
});

export default [queryResourceMetrics, queryHttpMetrics];
