import type { Logger } from '../../../shared/telemetry/logger.js';
import type { MetricPoint, TelemetryBackend, TelemetryScope } from '../backends/telemetry-backend.js';
import type { AlertRule } from './alert-rules.js';
import type { IncidentStore } from './incident-store.js';

export interface Evaluation {
  rule: string;
  firing: boolean;
  value: number;
  message: string;
}

function scopeOf(rule: AlertRule): TelemetryScope {
  return {
    namespace: rule.namespace,
    project: rule.project,
    component: rule.component,
    ...(rule.environment ? { environment: rule.environment } : {}),
  };
}

const latest = (points: MetricPoint[]) => points[points.length - 1]?.value ?? 0;

/** Evaluate one rule against the backend for the window ending `now`. */
export async function evaluateRule(rule: AlertRule, telemetry: TelemetryBackend, now = new Date()): Promise<Evaluation> {
  const window = { start: new Date(now.getTime() - rule.condition.windowMinutes * 60_000), end: now };
  const scope = scopeOf(rule);
  const condition = rule.condition;
  if (condition.kind === 'log-count') {
    const count = await telemetry.logs.countComponentLogs({
      scope,
      window,
      levels: condition.levels,
      ...(condition.search ? { search: condition.search } : {}),
    });
    return {
      rule: rule.name,
      firing: count >= condition.threshold,
      value: count,
      message: `${count} ${condition.levels.join('/')} log lines${condition.search ? ` containing "${condition.search}"` : ''} in ${condition.windowMinutes}m (threshold ${condition.threshold})`,
    };
  }
  const stepSeconds = 60;
  const value =
    condition.metric === 'cpuUsage' || condition.metric === 'memoryUsage'
      ? latest((await telemetry.metrics.resourceMetrics({ scope, window, stepSeconds }))[condition.metric])
      : latest((await telemetry.metrics.httpMetrics({ scope, window, stepSeconds }))[condition.metric]);
  return {
    rule: rule.name,
    firing: value > condition.above,
    value,
    message: `${condition.metric} is ${value} (above ${condition.above} fires)`,
  };
}

/**
 * Evaluates every rule periodically: a firing rule records an alert and opens (or extends) its
 * incident; a rule that stops firing resolves its incident. A failing evaluation is logged and
 * retried next round; it neither fires nor resolves.
 */
export class AlertEvaluator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly rules: AlertRule[],
    private readonly telemetry: TelemetryBackend,
    private readonly incidents: IncidentStore,
    private readonly logger: Logger,
    private readonly intervalSeconds: number,
  ) {}

  start(): void {
    if (this.rules.length === 0 || this.timer) return;
    this.timer = setInterval(() => void this.evaluateAll(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  /** One round over all rules (also used by tests and by a manual trigger). */
  async evaluateAll(now = new Date()): Promise<Evaluation[]> {
    if (this.running) await this.running;
    const results: Evaluation[] = [];
    const round = (async () => {
      for (const rule of this.rules) {
        try {
          const evaluation = await evaluateRule(rule, this.telemetry, now);
          results.push(evaluation);
          if (evaluation.firing) {
            const { incident, opened } = this.incidents.recordFiring(
              {
                name: rule.name,
                severity: rule.severity,
                scope: scopeOf(rule),
                ...(rule.description ? { description: rule.description } : {}),
              },
              evaluation.value,
              evaluation.message,
              now,
            );
            if (opened) this.logger.warn({ rule: rule.name, incident: incident.id }, `incident opened: ${evaluation.message}`);
          } else if (this.incidents.resolveCleared(rule.name, now)) {
            this.logger.info({ rule: rule.name }, 'incident resolved: condition cleared');
          }
        } catch (error) {
          this.logger.warn({ err: error, rule: rule.name }, 'alert rule evaluation failed');
        }
      }
    })();
    this.running = round;
    await round;
    this.running = undefined;
    return results;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
