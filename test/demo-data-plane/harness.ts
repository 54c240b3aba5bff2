import { Writable } from 'node:stream';
import type { ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { startDemoDataPlane, type DemoDataPlane, type DemoDataPlaneOptions } from '../../servers/demo-data-plane/demo-data-plane.js';
import { createOtlpWriter } from '../../servers/observability-plane/backends/embedded/otlp-writer.js';
import type { TelemetryBackend, TimeWindow } from '../../servers/observability-plane/backends/telemetry-backend.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The real stack (identity provider, both servers: SQLite store with the demo organisation, embedded
 * telemetry store fed over OTLP/HTTP) and a demo data plane on it, driven tick by tick with a fake
 * clock that starts ten minutes ago and advances one second per tick — so everything it writes lies
 * inside the default 15-minute query window, and no test sleeps.
 */
export interface Harness {
  stack: TestStack;
  store: ResourceStore;
  telemetry: TelemetryBackend;
  plane: DemoDataPlane;
  /** The fake clock's current time (ms). */
  now(): number;
  /** Advance the clock by one tick and run it, `count` times. */
  ticks(count: number): Promise<void>;
  /** From `startMs` (default: the clock's start) to a little after the clock's current time. */
  window(startMs?: number): TimeWindow;
  /** Log lines the data plane wrote about itself (JSON). */
  log(): string;
  close(): Promise<void>;
}

export const USER = { subject: 'user:dev', clientId: 'plane-mcp-tests' };
export const BOUTIQUE = { namespace: 'default', project: 'gcp-microservice-demo', environment: 'development' } as const;

export async function startHarness(
  options: Partial<Omit<DemoDataPlaneOptions, 'store' | 'writer' | 'logger'>> & {
    wrapStore?: (store: ResourceStore) => ResourceStore;
  } = {},
): Promise<Harness> {
  const stack = await startTestStack();
  const otlp = stack.observabilityPlane.running.otlp;
  if (!otlp) throw new Error('the embedded backend did not start OTLP ingest');
  const lines: string[] = [];
  const logger = createLogger({
    name: 'demo-data-plane',
    level: 'info',
    destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }),
  });
  const tickMilliseconds = options.tickMilliseconds ?? 1000;
  const start = Date.now() - 10 * 60_000;
  let time = start;
  const { wrapStore, ...planeOptions } = options;
  const plane = startDemoDataPlane({
    seed: 7,
    ...planeOptions,
    tickMilliseconds,
    store: wrapStore ? wrapStore(stack.controlPlaneStore) : stack.controlPlaneStore,
    writer: createOtlpWriter(otlp.url, otlp.token),
    logger,
    now: () => new Date(time),
    autoTick: false,
  });
  return {
    stack,
    store: stack.controlPlaneStore,
    telemetry: stack.observabilityPlane.running.telemetry,
    plane,
    now: () => time,
    async ticks(count) {
      for (let i = 0; i < count; i++) {
        time += tickMilliseconds;
        await plane.tick();
      }
    },
    window: (startMs = start) => ({ start: new Date(startMs), end: new Date(time + 1000) }),
    log: () => lines.join(''),
    async close() {
      await plane.close();
      await stack.close();
    },
  };
}
