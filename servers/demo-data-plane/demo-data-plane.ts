import type { Logger } from '../../shared/telemetry/logger.js';
import type { Actor, ResourceStore } from '../control-plane/store/resource-store.js';
import type { TelemetryWriter } from '../observability-plane/backends/telemetry-writer.js';
import { ReleaseCache } from './desired-state.js';
import { podSamples } from './pod-metrics.js';
import { createRandom } from './random.js';
import { reconcile, type ReconcilerDeps } from './reconciler.js';
import { SimulatedCluster } from './simulated-cluster.js';
import { TelemetryBatch, TelemetryFlusher } from './telemetry-batch.js';
import { TrafficGenerator } from './traffic-generator.js';
import { WorkflowExecutor } from './workflow-executor.js';

/**
 * The demo data plane: a simulated runtime for whatever the control-plane store says should run.
 * Every tick it (1) reconciles ReleaseBindings into simulated deployments and reports their status,
 * (2) advances workflow runs, (3) sends traffic through the Online Boutique call graph (and a trickle to
 * other HTTP workloads), (4) samples every pod's metrics, and (5) writes the tick's logs, spans and
 * samples through the TelemetryWriter. See README.md beside this file.
 *
 * Time: a tick covers the time since the previous tick on the `now` clock (the first covers
 * `tickMilliseconds`; a gap is capped at 10 ticks), so rates and timestamps stay true when ticks are
 * late, and a test can drive a fake clock with `tick()` instead of sleeping.
 */
export interface DemoDataPlaneOptions {
  store: ResourceStore;
  writer: TelemetryWriter;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Interval of the automatic loop. Default 1000. */
  tickMilliseconds?: number;
  /** Shopper requests per second per environment running the Online Boutique frontend. Default 2. */
  requestsPerSecond?: number;
  /** How often pod metrics are written (like a scrape interval); default every tick. */
  metricsIntervalMilliseconds?: number;
  /** Requests per second on every other running HTTP workload (the greeter). Default 0.2. */
  trickleRequestsPerSecond?: number;
  /** Ticks each workflow task takes (build-image twice as many). Default 3. */
  taskDurationTicks?: number;
  /** Ticks from creating a pod to it running. Default 1. */
  podStartTicks?: number;
  /** The clock for timestamps and elapsed time. Default: the wall clock. */
  now?: () => Date;
  /** Run the loop on a timer. Default true; tests pass false and call `tick()`. */
  autoTick?: boolean;
  /** Seed of the pseudo-random source (traffic mix, latencies, ids). Default: the time. */
  seed?: number;
  /** Bounded work per tick. */
  maxBindings?: number;
  maxActiveRuns?: number;
  maxRequestsPerTick?: number;
}

export interface DemoDataPlane {
  /** One step (serialised with the loop's own ticks). */
  tick(): Promise<void>;
  /** Stop the loop and wait for a running tick to finish. */
  close(): Promise<void>;
}

/** Who the data plane writes as (status, releases, bindings made by autoDeploy). */
export const DEMO_DATA_PLANE_ACTOR: Actor = { subject: 'system:demo-data-plane', clientId: 'plane-mcp' };

const ERROR_REPEAT_MS = 30_000;

export function startDemoDataPlane(options: DemoDataPlaneOptions): DemoDataPlane {
  const tickMilliseconds = positive(options.tickMilliseconds, 1000, 'tickMilliseconds');
  const metricsIntervalMilliseconds = positive(options.metricsIntervalMilliseconds, tickMilliseconds, 'metricsIntervalMilliseconds');
  let lastMetricsAt: number | undefined;
  const clock = options.now ?? (() => new Date());
  const logger = options.logger;
  const random = createRandom(options.seed ?? Date.now());
  const cluster = new SimulatedCluster(random, Math.max(0, Math.floor(options.podStartTicks ?? 1)));
  const reconcilerDeps: ReconcilerDeps = {
    store: options.store,
    cluster,
    releases: new ReleaseCache(),
    actor: DEMO_DATA_PLANE_ACTOR,
    logger,
    maxBindings: positive(options.maxBindings, 1000, 'maxBindings'),
  };
  const executor = new WorkflowExecutor({
    store: options.store,
    actor: DEMO_DATA_PLANE_ACTOR,
    logger,
    taskDurationTicks: Math.max(1, Math.floor(positive(options.taskDurationTicks, 3, 'taskDurationTicks'))),
    maxActiveRuns: positive(options.maxActiveRuns, 10, 'maxActiveRuns'),
  });
  const traffic = new TrafficGenerator(random, {
    requestsPerSecond: nonNegative(options.requestsPerSecond, 2, 'requestsPerSecond'),
    trickleRequestsPerSecond: nonNegative(options.trickleRequestsPerSecond, 0.2, 'trickleRequestsPerSecond'),
    maxRequestsPerTick: positive(options.maxRequestsPerTick, 500, 'maxRequestsPerTick'),
  });
  const flusher = new TelemetryFlusher(options.writer, logger);
  const lastErrors = new Map<string, number>();
  let tickNumber = 0;
  let lastTime: number | undefined;

  /** Run one part of a tick; a failure is logged (at most every 30 s per part) and the tick goes on. */
  async function part(name: string, work: () => unknown): Promise<void> {
    try {
      await work();
    } catch (error) {
      const now = Date.now();
      if (now - (lastErrors.get(name) ?? 0) >= ERROR_REPEAT_MS) {
        lastErrors.set(name, now);
        logger.error({ err: error, part: name }, `demo data plane: ${name} failed; carrying on`);
      }
    }
  }

  async function runTick(): Promise<void> {
    const now = clock();
    const nowMs = now.getTime();
    const elapsedMs = lastTime === undefined ? tickMilliseconds : Math.min(Math.max(0, nowMs - lastTime), 10 * tickMilliseconds);
    lastTime = Math.max(nowMs, lastTime ?? nowMs);
    tickNumber++;
    const batch = new TelemetryBatch();
    await part('reconcile', () => reconcile(reconcilerDeps, tickNumber, now, batch));
    await part('workflows', () => executor.step(now, batch));
    await part('traffic', () => traffic.generate(cluster, { startUs: (nowMs - elapsedMs) * 1000, endUs: nowMs * 1000 }, batch));
    await part('metrics', () => {
      // Pods account CPU every tick; samples are written at the metrics interval, as a scrape would.
      const samples = podSamples(cluster, elapsedMs / 1000, now, random);
      if (lastMetricsAt === undefined || nowMs - lastMetricsAt >= metricsIntervalMilliseconds) {
        batch.samples.push(...samples);
        lastMetricsAt = nowMs;
      }
    });
    await part('telemetry', () => flusher.flush(batch));
  }

  let chain: Promise<void> = Promise.resolve();
  const tick = (): Promise<void> => (chain = chain.then(runTick, runTick));
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (closed || options.autoTick === false) return;
    timer = setTimeout(() => void tick().finally(schedule), tickMilliseconds);
    timer.unref();
  };
  schedule();
  logger.info({ tickMilliseconds, autoTick: options.autoTick !== false }, 'demo data plane started');

  return {
    tick,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await chain.catch(() => undefined);
    },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`demo data plane: ${name} must be a positive number`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`demo data plane: ${name} must be zero or more`);
  return value;
}
