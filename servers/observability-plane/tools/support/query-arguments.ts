import * as z from 'zod';
import { resourceName } from '../../../../shared/naming/resource-name.js';
import { InvalidInputError } from '../../../../shared/errors/plane-errors.js';
import { timestampArgument } from '../../../../shared/tools/timestamp-argument.js';
import type { TelemetryScope, TimeWindow } from '../../backends/telemetry-backend.js';

/** Query caps, configured by the operator (PLANE_DEFAULT_WINDOW_MINUTES, PLANE_MAX_WINDOW_HOURS, PLANE_MAX_RESULTS). */
export interface QueryLimits {
  defaultWindowMinutes: number;
  maxWindowHours: number;
  maxResults: number;
}

/** Scope arguments, named as OpenChoreo's observer names them. */
export const scopeArguments = {
  namespace: resourceName.describe('Namespace, e.g. default'),
  project: resourceName.optional(),
  component: resourceName.optional().describe('Needs project'),
  environment: resourceName.optional().describe('e.g. development; omit for all you may see'),
};

export const windowArguments = {
  start_time: timestampArgument('RFC 3339; default: end_time minus 15 minutes').optional(),
  end_time: timestampArgument('RFC 3339; default: now').optional(),
};

export const sortOrder = z.enum(['asc', 'desc']).default('desc').describe('By time');
export const resultLimit = z.number().int().min(1).max(1000).default(100).describe('At most this many results (capped by the server)');

export function scopeOf(input: {
  namespace: string;
  project?: string | undefined;
  component?: string | undefined;
  environment?: string | undefined;
}): TelemetryScope {
  if (input.component && !input.project)
    throw new InvalidInputError('component needs project', 'Pass the project the component belongs to.');
  return {
    namespace: input.namespace,
    ...(input.project ? { project: input.project } : {}),
    ...(input.component ? { component: input.component } : {}),
    ...(input.environment ? { environment: input.environment } : {}),
  };
}

export interface ResolvedWindow extends TimeWindow {
  /** Set when the requested window was longer than allowed and was shortened. */
  clampedFrom?: { start: string; end: string };
}

/** The query window: defaults to the last N minutes, end after start, capped at the configured maximum (keeping the end). */
export function resolveWindow(
  input: { start_time?: string | undefined; end_time?: string | undefined },
  limits: QueryLimits,
  now = new Date(),
): ResolvedWindow {
  const end = input.end_time ? new Date(input.end_time) : now;
  const start = input.start_time ? new Date(input.start_time) : new Date(end.getTime() - limits.defaultWindowMinutes * 60_000);
  if (start.getTime() >= end.getTime()) throw new InvalidInputError('start_time must be before end_time');
  const maxMs = limits.maxWindowHours * 3_600_000;
  if (end.getTime() - start.getTime() <= maxMs) return { start, end };
  return { start: new Date(end.getTime() - maxMs), end, clampedFrom: { start: start.toISOString(), end: end.toISOString() } };
}

export const windowOutput = z.object({
  start: z.string(),
  end: z.string(),
  clampedFrom: z.object({ start: z.string(), end: z.string() }).optional(),
});

export function describeWindow(window: ResolvedWindow) {
  return {
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    ...(window.clampedFrom ? { clampedFrom: window.clampedFrom } : {}),
  };
}

/** The effective, server-built scope, echoed back so the caller sees what was really queried. */
export const scopeOutput = z.object({
  namespace: z.string(),
  project: z.string().optional(),
  component: z.string().optional(),
  environment: z.string().optional(),
});

/** The scope, window and result cap of a query, from its arguments and the operator's limits. */
export function resolveQuery(
  input: {
    namespace: string;
    project?: string | undefined;
    component?: string | undefined;
    environment?: string | undefined;
    start_time?: string | undefined;
    end_time?: string | undefined;
    limit: number;
  },
  limits: QueryLimits,
) {
  return { scope: scopeOf(input), window: resolveWindow(input, limits), limit: Math.min(input.limit, limits.maxResults) };
}
