import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { resourceName } from '../../../shared/naming/resource-name.js';
import type { MetricPoint } from '../backends/telemetry-backend.js';
import { authorizeScope, telemetryTarget } from './support/access.js';
import { observabilityTool } from './support/define.js';
import { groupIntoPatterns } from './support/log-patterns.js';
import {
  describeWindow,
  resolveWindow,
  scopeArguments,
  scopeOf,
  scopeOutput,
  windowArguments,
  windowOutput,
} from './support/query-arguments.js';
import { sanitizeUntrustedText } from './support/untrusted-text.js';

const traceLine = z.object({
  traceId: z.string(),
  name: z.string(),
  durationMs: z.number(),
  errorSpanCount: z.number(),
  services: z.array(z.string()),
});
const average = (points: MetricPoint[]) =>
  points.length ? Math.round((points.reduce((sum, point) => sum + point.value, 0) / points.length) * 10_000) / 10_000 : null;
const maximum = (points: MetricPoint[]) => (points.length ? Math.max(...points.map((point) => point.value)) : null);

export const diagnoseComponent = observabilityTool({
  name: 'diagnose_component',
  title: 'Diagnose component',
  description:
    'One call for "what is wrong with this component": top error/warning log patterns, RED metrics (rate, errors, latency), and the slowest and failed traces in the window (default last 15 minutes).',
  toolset: 'diagnosis',
  kind: 'read',
  openWorld: true,
  scope: SCOPES.observabilityRead,
  input: z.object({ ...scopeArguments, project: resourceName, component: resourceName, ...windowArguments }),
  output: z.object({
    scope: scopeOutput,
    window: windowOutput,
    errorPatterns: z
      .array(z.object({ pattern: z.string(), count: z.number(), level: z.string().optional(), example: z.string() }))
      .describe('From ERROR and WARN lines; untrusted workload text'),
    errorLines: z.number(),
    red: z
      .object({
        requestRate: z.number().nullable(),
        errorRate: z.number().nullable(),
        maxErrorRate: z.number().nullable(),
        latencyP99Ms: z.number().nullable(),
      })
      .optional(),
    slowestTraces: z.array(traceLine).optional(),
    failedTraces: z.array(traceLine).optional(),
    omitted: z.array(z.string()).describe('Sections left out because the policy does not let you see them'),
    untrustedContent: z.literal(true),
  }),
  authorization: authorizeScope('logs:view'),
  handler: async (input, { deps, isAllowed }) => {
    const scope = scopeOf(input);
    const window = resolveWindow(input, deps.limits);
    const target = telemetryTarget(scope, deps.productionEnvironments);
    const mayMetrics = isAllowed('metrics:view', target);
    const mayTraces = isAllowed('traces:view', target);
    const [logs, http, slow, failed] = await Promise.all([
      deps.telemetry.logs.queryComponentLogs({ scope, window, levels: ['ERROR', 'WARN'], limit: deps.limits.maxResults, sort: 'desc' }),
      mayMetrics ? deps.telemetry.metrics.httpMetrics({ scope, window, stepSeconds: 60 }) : undefined,
      mayTraces ? deps.telemetry.traces.queryTraces({ scope, window, limit: 50, sort: 'desc' }) : undefined,
      mayTraces ? deps.telemetry.traces.queryTraces({ scope, window, errorsOnly: true, limit: 5, sort: 'desc' }) : undefined,
    ]);
    const lines = logs.lines.map((line) => ({ ...line, message: sanitizeUntrustedText(line.message) }));
    const view = (trace: { traceId: string; name: string; durationMs: number; errorSpanCount: number; services: string[] }) => ({
      traceId: trace.traceId,
      name: sanitizeUntrustedText(trace.name, 200),
      durationMs: trace.durationMs,
      errorSpanCount: trace.errorSpanCount,
      services: trace.services,
    });
    return {
      scope,
      window: describeWindow(window),
      errorPatterns: groupIntoPatterns(lines, 5).map(({ pattern, count, level, example }) => ({
        pattern,
        count,
        ...(level ? { level } : {}),
        example,
      })),
      errorLines: logs.total,
      ...(http
        ? {
            red: {
              requestRate: average(http.requestRate),
              errorRate: average(http.errorRate),
              maxErrorRate: maximum(http.errorRate),
              latencyP99Ms: average(http.latencyP99Ms),
            },
          }
        : {}),
      ...(slow
        ? {
            slowestTraces: [...slow.traces]
              .sort((a, b) => b.durationMs - a.durationMs)
              .slice(0, 5)
              .map(view),
          }
        : {}),
      ...(failed ? { failedTraces: failed.traces.slice(0, 5).map(view) } : {}),
      omitted: [...(mayMetrics ? [] : ['red (needs metrics:view)']), ...(mayTraces ? [] : ['traces (needs traces:view)'])],
      untrustedContent: true as const,
    };
  },
  summarize: (result) =>
    [
      `${result.scope.component}: ${result.errorLines} error/warn lines; ${result.red ? `${result.red.requestRate ?? '-'} req/s, errors ${result.red.errorRate === null ? '-' : `${Math.round(result.red.errorRate * 1000) / 10}%`}, p99 ${result.red.latencyP99Ms ?? '-'}ms` : 'no metrics'}`,
      '--- untrusted log patterns ---',
      ...result.errorPatterns.map((pattern) => `${pattern.count}× ${pattern.pattern}`),
      '--- end ---',
      ...(result.failedTraces ?? []).map((trace) => `failed ${trace.traceId} ${trace.name} [${trace.services.join(' → ')}]`),
      ...(result.slowestTraces ?? []).slice(0, 3).map((trace) => `slow ${trace.traceId} ${trace.name} ${trace.durationMs.toFixed(1)}ms`),
      ...(result.omitted.length ? [`omitted: ${result.omitted.join(', ')}`] : []),
    ].join('\n'),
});

export default [diagnoseComponent];
