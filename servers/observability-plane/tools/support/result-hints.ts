import type { TelemetryScope } from '../../backends/telemetry-backend.js';
import type { ResolvedWindow } from './query-arguments.js';

/** What to try when a query found nothing, or what a caller should know about a capped one. */
export function emptyResultHints(
  kind: 'logs' | 'traces' | 'metrics' | 'alerts',
  scope: TelemetryScope,
  window: ResolvedWindow,
  filtered: boolean,
): string[] {
  const minutes = Math.round((window.end.getTime() - window.start.getTime()) / 60_000);
  const hints = [
    `Nothing in the ${minutes}-minute window ${window.start.toISOString()} → ${window.end.toISOString()}: try an earlier start_time.`,
  ];
  if (filtered)
    hints.push(
      kind === 'logs'
        ? 'Drop search_phrase or log_levels to see every line.'
        : 'Drop the filters (errors_only, min_duration_ms) to see everything.',
    );
  if (scope.component || scope.environment)
    hints.push('Check the names: list_components and list_environments on the control-plane server show what exists.');
  if (kind === 'traces') hints.push('Only instrumented components emit traces.');
  return hints;
}

export function windowHints(window: ResolvedWindow): string[] {
  return window.clampedFrom ? [`The window was shortened to the maximum allowed; it ends at ${window.end.toISOString()}.`] : [];
}
