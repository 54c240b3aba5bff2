import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import * as z from 'zod';
import { resourceName } from '../../../shared/naming/resource-name.js';

const logCondition = z.object({
  kind: z.literal('log-count'),
  /** Literal substring; empty = every line at the levels. */
  search: z.string().max(200).optional(),
  levels: z.array(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR'])).default(['ERROR']),
  windowMinutes: z.number().int().min(1).max(1440).default(5),
  /** Fires when at least this many lines match in the window. */
  threshold: z.number().int().min(1),
});

const metricCondition = z.object({
  kind: z.literal('metric'),
  metric: z.enum(['errorRate', 'requestRate', 'latencyP99Ms', 'cpuUsage', 'memoryUsage']),
  windowMinutes: z.number().int().min(1).max(1440).default(5),
  /** Fires when the latest value in the window is above this. */
  above: z.number(),
});

export const alertRuleSchema = z.object({
  name: resourceName,
  description: z.string().max(500).optional(),
  severity: z.enum(['critical', 'warning', 'info']).default('warning'),
  namespace: resourceName,
  project: resourceName,
  component: resourceName,
  environment: resourceName.optional(),
  condition: z.discriminatedUnion('kind', [logCondition, metricCondition]),
});

export type AlertRule = z.infer<typeof alertRuleSchema>;

/** Alert rules per component, from a YAML file `{ rules: [...] }`; errors name the rule and field. */
export function loadAlertRules(file: string): AlertRule[] {
  const parsed = z.object({ rules: z.array(alertRuleSchema).default([]) }).safeParse(YAML.parse(readFileSync(file, 'utf8')) ?? {});
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  const names = new Set<string>();
  for (const rule of parsed.data.rules) {
    if (names.has(rule.name)) throw new Error(`${file}: alert rule ${rule.name} is defined twice`);
    names.add(rule.name);
  }
  return parsed.data.rules;
}
