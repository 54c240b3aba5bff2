import type { Logger } from '../../shared/telemetry/logger.js';
import type { LogLine } from '../observability-plane/backends/telemetry-backend.js';
import type { Actor, ResourceStore } from '../control-plane/store/resource-store.js';
import { ResourceNotFoundError } from '../control-plane/store/store-errors.js';
import { bindingStatus, sameStatus } from './binding-status.js';
import { readDesiredState, type DesiredDeployment, type ReleaseCache } from './desired-state.js';
import { isoMicros } from './random.js';
import { profileOf } from './service-profiles.js';
import type { PodStart, SimulatedCluster } from './simulated-cluster.js';
import type { TelemetryBatch } from './telemetry-batch.js';

/**
 * One reconcile pass: read every ReleaseBinding (desired state) from the control-plane store, move the
 * simulated cluster one tick towards it, and report each binding's status back — only when it changed,
 * and always through `store.modify`, which re-reads and retries on a concurrent write, so a user's spec
 * change made meanwhile is never overwritten (the data plane never touches `spec`).
 */
export interface ReconcilerDeps {
  store: ResourceStore;
  cluster: SimulatedCluster;
  releases: ReleaseCache;
  actor: Actor;
  logger: Pick<Logger, 'warn' | 'debug'>;
  maxBindings: number;
  /** Set once the "too many bindings" warning was logged. */
  warnedTruncated?: boolean;
}

export async function reconcile(deps: ReconcilerDeps, tick: number, now: Date, batch: TelemetryBatch): Promise<void> {
  const { deployments, truncated } = await readDesiredState(deps.store, deps.releases, { maxBindings: deps.maxBindings });
  if (truncated && !deps.warnedTruncated) {
    deps.warnedTruncated = true;
    deps.logger.warn({ maxBindings: deps.maxBindings }, 'demo data plane: more bindings than it simulates per tick; the rest wait');
  }
  const starts = deps.cluster.apply(deployments, tick, now, { complete: !truncated });
  batch.logs.push(...starts.flatMap((start) => startupLines(start, now)));
  for (const want of deployments) await reportStatus(deps, want, now);
}

async function reportStatus(deps: ReconcilerDeps, want: DesiredDeployment, now: Date): Promise<void> {
  const deployment = deps.cluster.deployments.get(want.key);
  if (!deployment) return;
  const time = now.toISOString();
  if (sameStatus(want.binding.status, bindingStatus(deployment, want.binding.status, time))) return;
  try {
    await deps.store.modify(
      'ReleaseBinding',
      want.namespace,
      want.binding.metadata.name,
      deps.actor,
      (current) => ({ ...current, status: bindingStatus(deployment, current.status, time) }),
      { statusReport: true },
    );
  } catch (error) {
    if (error instanceof ResourceNotFoundError) return; // deleted meanwhile: the next pass forgets it
    throw error;
  }
}

function startupLines(start: PodStart, now: Date): LogLine[] {
  const want = start.deployment.desired;
  const profile = profileOf(want.component);
  const port = Object.values(want.release?.spec.endpoints ?? {})[0]?.port ?? profile.defaultPort;
  const lines = profile.startup(port);
  const base = now.getTime() * 1000 - lines.length * 1000;
  return lines.map((message, index) => ({
    timestamp: isoMicros(base + index * 1000),
    level: 'INFO' as const,
    message,
    namespace: want.namespace,
    project: want.project,
    component: want.component,
    environment: want.environment,
    pod: start.pod.name,
    container: 'main',
  }));
}
