import { OTEL_RESOURCE } from '../../shared/telemetry/conventions.js';
import type { LogLevel, LogLine, SpanDetails, SpanStatus } from '../observability-plane/backends/telemetry-backend.js';
import { BOUTIQUE_SERVICES, failureContext, FRONTEND_ROUTES, PRODUCT_IDS, type RpcCall } from './call-graph.js';
import { isoMicros, type Random } from './random.js';
import { profileOf } from './service-profiles.js';
import { LATENCY_BOUNDS, runningPods, type SimulatedCluster, type SimulatedDeployment, type SimulatedPod } from './simulated-cluster.js';
import type { TelemetryBatch } from './telemetry-batch.js';

/**
 * Shoppers on the Online Boutique, and a trickle of callers on every other HTTP workload.
 *
 * Wherever the frontend runs (per namespace, project and environment), `requestsPerSecond` requests
 * arrive, each one of the routes in call-graph.ts. Every request is one trace: the frontend's SERVER
 * span is the root; each gRPC call is a CLIENT span of the caller with the callee's SERVER span as its
 * child, down the graph. Every hop logs one access line in the component that served it (with the
 * trace id), now and then a warning, and counts towards its pod's HTTP counters and CPU.
 *
 * A callee with no running pod (scaled to 0, Suspended, Undeploy, crash-looping) refuses the
 * connection: the caller's CLIENT span fails with `rpc error: code = Unavailable desc = connection
 * refused: dial tcp <callee>:<port>`, the caller logs that at ERROR, its own SERVER span fails, and the
 * failure travels up to the frontend, which answers 503 (optional calls — ads, the confirmation
 * e-mail — are logged as errors too, but the page or order still succeeds). When the callee runs
 * again, the next requests succeed. A CPU-throttled service (demand above its CPU limit) gets slower
 * by the same factor.
 */
export interface TrafficOptions {
  /** Shopper requests per second per environment running the frontend. */
  requestsPerSecond: number;
  /** Requests per second on every other running workload with an HTTP endpoint. */
  trickleRequestsPerSecond: number;
  /** Most requests per environment (or workload) in one tick. */
  maxRequestsPerTick: number;
}

interface Window {
  startUs: number;
  endUs: number;
}

interface Hop {
  deployment: SimulatedDeployment;
  pod: SimulatedPod;
  spanId: string;
}

interface Outcome {
  endUs: number;
  ok: boolean;
  /** The root cause is an unreachable service. */
  unavailable: boolean;
  /** The gRPC error the caller sees. */
  error?: string;
}

/** A span or log line with times relative to the start of its request, placed when the request ends. */
interface PendingSpan extends Omit<SpanDetails, 'startTime' | 'endTime' | 'durationMs'> {
  startUs: number;
  endUs: number;
}
interface PendingLog {
  atUs: number;
  level: LogLevel;
  message: string;
  deployment: SimulatedDeployment;
  pod: SimulatedPod;
}

interface Request {
  traceId: string;
  group: Map<string, SimulatedDeployment>;
  spans: PendingSpan[];
  logs: PendingLog[];
  productId: string;
}

const GREETING_NAMES = ['World', 'Alice', 'Bob', 'OpenChoreo', 'Ada', 'Grace', 'Linus'];
const WARN_PROBABILITY = 0.004;
const GRPC_OK = 0;
const GRPC_INTERNAL = 13;
const GRPC_UNAVAILABLE = 14;

export class TrafficGenerator {
  /** Fractional requests carried to the next tick, per source. */
  private readonly carry = new Map<string, number>();

  constructor(
    private readonly random: Random,
    private readonly options: TrafficOptions,
  ) {}

  generate(cluster: SimulatedCluster, window: Window, batch: TelemetryBatch): void {
    const seconds = Math.max(0, window.endUs - window.startUs) / 1e6;
    const sources = new Set<string>();
    for (const [groupKey, group] of cluster.groups()) {
      const boutique = isBoutique(group);
      const frontend = group.get('frontend');
      if (boutique && frontend && runningPods(frontend).length > 0) {
        const source = `${groupKey}/shoppers`;
        sources.add(source);
        for (let i = this.count(source, this.options.requestsPerSecond * seconds); i > 0; i--) this.shopper(group, frontend, window, batch);
      }
      for (const [component, deployment] of group) {
        if (boutique && BOUTIQUE_SERVICES.has(component)) continue;
        const endpoint = httpEndpoint(deployment);
        if (!endpoint || runningPods(deployment).length === 0) continue;
        const source = deployment.key;
        sources.add(source);
        for (let i = this.count(source, this.options.trickleRequestsPerSecond * seconds); i > 0; i--)
          this.trickle(deployment, endpoint, window, batch);
      }
    }
    for (const key of [...this.carry.keys()]) if (!sources.has(key)) this.carry.delete(key);
  }

  /** Whole requests due for a source this tick (the fraction carries over), capped. */
  private count(source: string, expected: number): number {
    const total = (this.carry.get(source) ?? 0) + expected;
    const whole = Math.floor(total);
    this.carry.set(source, total - whole);
    return Math.min(whole, this.options.maxRequestsPerTick);
  }

  private shopper(group: Map<string, SimulatedDeployment>, frontend: SimulatedDeployment, window: Window, batch: TelemetryBatch): void {
    const random = this.random;
    const route = random.weighted(FRONTEND_ROUTES, (item) => item.weight);
    const request: Request = { traceId: random.hex(32), group, spans: [], logs: [], productId: random.pick(PRODUCT_IDS) };
    const pod = random.pick(runningPods(frontend));
    const rootId = random.hex(16);
    const hop: Hop = { deployment: frontend, pod, spanId: rootId };
    const self = random.around(profileOf('frontend').latencyMs * 1000) * frontend.throttle;
    let t = self * 0.4;
    let failure: { call: RpcCall; outcome: Outcome } | undefined;
    for (const call of expand(route.calls)) {
      const outcome = this.call(request, hop, call, t);
      t = outcome.endUs + random.around(40);
      if (outcome.ok) continue;
      if (call.optional) request.logs.push(errorLog(request, hop, t, `${failureContext(call)}: ${outcome.error}`));
      else {
        failure = { call, outcome };
        break;
      }
    }
    const end = t + self * 0.6;
    const path = route.route.replace('{id}', request.productId);
    const status = failure ? (failure.outcome.unavailable ? 503 : 500) : route.status;
    const reason = failure ? `${failureContext(failure.call)}: ${failure.outcome.error}` : undefined;
    request.spans.push({
      ...spanBase(request.traceId, rootId, undefined, `${route.method} ${route.route}`, 'SERVER', hop),
      startUs: 0,
      endUs: end,
      status: failure ? 'error' : 'ok',
      ...(reason ? { statusMessage: `HTTP ${status}: ${reason}` } : {}),
      attributes: {
        'http.method': route.method,
        'http.route': route.route,
        'http.target': path,
        'http.scheme': 'http',
        'http.status_code': status,
        'net.host.port': portOf(frontend),
      },
    });
    const took = `http.resp.took_ms=${Math.max(1, Math.round(end / 1000))}`;
    request.logs.push(
      reason
        ? {
            atUs: end,
            level: 'ERROR',
            message: `request error http.req.method=${route.method} http.req.path=${path} http.resp.status=${status} ${took} error="${reason}" trace_id=${request.traceId}`,
            deployment: frontend,
            pod,
          }
        : {
            atUs: end,
            level: 'INFO',
            message: `request complete http.req.method=${route.method} http.req.path=${path} http.resp.status=${status} ${took} trace_id=${request.traceId}`,
            deployment: frontend,
            pod,
          },
    );
    this.maybeWarn(request, hop, end);
    served(frontend, pod, String(status), end / 1e6);
    this.place(request, end, window, batch);
  }

  /** One gRPC call from `caller`, starting at `startUs` (relative to the request). */
  private call(request: Request, caller: Hop, call: RpcCall, startUs: number): Outcome {
    const random = this.random;
    const callee = request.group.get(call.service);
    const profile = profileOf(call.service);
    const port = callee ? portOf(callee) : profile.defaultPort;
    const rpcService = profile.rpcService ?? call.service;
    const name = `${rpcService}/${call.method}`;
    const clientId = random.hex(16);
    const clientAttributes = {
      'rpc.system': 'grpc',
      'rpc.service': rpcService,
      'rpc.method': call.method,
      'net.peer.name': call.service,
      'net.peer.port': port,
      'peer.service': call.service,
    };
    const pods = runningPods(callee);
    if (!callee || pods.length === 0) {
      const error = `rpc error: code = Unavailable desc = connection refused: dial tcp ${call.service}:${port}`;
      const endUs = startUs + random.around(600);
      request.spans.push({
        ...spanBase(request.traceId, clientId, caller.spanId, name, 'CLIENT', caller),
        startUs,
        endUs,
        status: 'error',
        statusMessage: error,
        attributes: { ...clientAttributes, 'rpc.grpc.status_code': GRPC_UNAVAILABLE },
      });
      return { endUs, ok: false, unavailable: true, error };
    }
    const pod = random.pick(pods);
    const serverId = random.hex(16);
    const hop: Hop = { deployment: callee, pod, spanId: serverId };
    const network = random.around(250);
    const serverStart = startUs + network / 2;
    const self = random.around(profile.latencyMs * 1000) * callee.throttle;
    let t = serverStart + self * 0.4;
    let failure: { call: RpcCall; outcome: Outcome } | undefined;
    for (const child of expand(call.calls ?? [])) {
      const outcome = this.call(request, hop, child, t);
      t = outcome.endUs + random.around(30);
      if (outcome.ok) continue;
      if (child.optional) request.logs.push(errorLog(request, hop, t, `${failureContext(child)}: ${outcome.error}`));
      else {
        failure = { call: child, outcome };
        break;
      }
    }
    const serverEnd = t + self * 0.6;
    const reason = failure ? `${failureContext(failure.call)}: ${failure.outcome.error}` : undefined;
    const code = failure ? GRPC_INTERNAL : GRPC_OK;
    request.spans.push({
      ...spanBase(request.traceId, serverId, clientId, name, 'SERVER', hop),
      startUs: serverStart,
      endUs: serverEnd,
      status: failure ? 'error' : 'ok',
      ...(reason ? { statusMessage: reason } : {}),
      attributes: { 'rpc.system': 'grpc', 'rpc.service': rpcService, 'rpc.method': call.method, 'rpc.grpc.status_code': code },
    });
    const tookMs = ((serverEnd - serverStart) / 1000).toFixed(2);
    request.logs.push({
      atUs: serverEnd,
      level: failure ? 'ERROR' : 'INFO',
      message: failure
        ? `finished call grpc.method=${name} grpc.code=Internal grpc.time_ms=${tookMs} error="${reason}" trace_id=${request.traceId}`
        : `finished call grpc.method=${name} grpc.code=OK grpc.time_ms=${tookMs} trace_id=${request.traceId}`,
      deployment: callee,
      pod,
    });
    this.maybeWarn(request, hop, serverEnd);
    served(callee, pod, failure ? (failure.outcome.unavailable ? '503' : '500') : '200', (serverEnd - serverStart) / 1e6);
    const endUs = serverEnd + network / 2;
    const error = failure ? `rpc error: code = Internal desc = ${reason}` : undefined;
    request.spans.push({
      ...spanBase(request.traceId, clientId, caller.spanId, name, 'CLIENT', caller),
      startUs,
      endUs,
      status: failure ? 'error' : 'ok',
      ...(error ? { statusMessage: error } : {}),
      attributes: { ...clientAttributes, 'rpc.grpc.status_code': code },
    });
    return { endUs, ok: !failure, unavailable: failure?.outcome.unavailable ?? false, ...(error ? { error } : {}) };
  }

  /** A plain HTTP request on a workload outside the boutique graph (the greeter: GET /greeter/greet). */
  private trickle(
    deployment: SimulatedDeployment,
    endpoint: { port: number; basePath?: string },
    window: Window,
    batch: TelemetryBatch,
  ): void {
    const random = this.random;
    const pod = random.pick(runningPods(deployment));
    const component = deployment.desired.component;
    const greeter = component.includes('greet');
    const route = greeter ? '/greeter/greet' : `${endpoint.basePath ?? ''}/`;
    const path = greeter ? `/greeter/greet?name=${random.pick(GREETING_NAMES)}` : route;
    const end = random.around(profileOf(component).latencyMs * 1000) * deployment.throttle;
    const request: Request = { traceId: random.hex(32), group: new Map(), spans: [], logs: [], productId: '' };
    const hop: Hop = { deployment, pod, spanId: random.hex(16) };
    request.spans.push({
      ...spanBase(request.traceId, hop.spanId, undefined, `GET ${route}`, 'SERVER', hop),
      startUs: 0,
      endUs: end,
      status: 'ok',
      attributes: {
        'http.method': 'GET',
        'http.route': route,
        'http.target': path,
        'http.scheme': 'http',
        'http.status_code': 200,
        'net.host.port': endpoint.port,
      },
    });
    request.logs.push({
      atUs: end,
      level: 'INFO',
      message: `request complete method=GET path=${path} status=200 took_ms=${(end / 1000).toFixed(2)} trace_id=${request.traceId}`,
      deployment,
      pod,
    });
    this.maybeWarn(request, hop, end);
    served(deployment, pod, '200', end / 1e6);
    this.place(request, end, window, batch);
  }

  private maybeWarn(request: Request, hop: Hop, atUs: number): void {
    const warnings = profileOf(hop.deployment.desired.component).warnings;
    if (warnings.length && this.random.chance(WARN_PROBABILITY)) {
      request.logs.push({ atUs: atUs + 1, level: 'WARN', message: this.random.pick(warnings), deployment: hop.deployment, pod: hop.pod });
    }
  }

  /** Put a finished request at a random point of the window (ending inside it) and emit it. */
  private place(request: Request, durationUs: number, window: Window, batch: TelemetryBatch): void {
    const endAbs = window.startUs + this.random.next() * Math.max(0, window.endUs - window.startUs);
    const base = Math.floor(endAbs - durationUs);
    for (const span of request.spans) {
      const { startUs, endUs, ...rest } = span;
      const start = base + Math.floor(startUs);
      const end = Math.max(start, base + Math.floor(endUs));
      batch.spans.push({ ...rest, startTime: isoMicros(start), endTime: isoMicros(end), durationMs: (end - start) / 1000 });
    }
    for (const line of request.logs) batch.logs.push(logLine(line, base));
  }
}

/** Does this (namespace, project, environment) look like the Online Boutique (its frontend and a few of its services)? */
function isBoutique(group: Map<string, SimulatedDeployment>): boolean {
  if (!group.has('frontend')) return false;
  let services = 0;
  for (const component of group.keys()) if (BOUTIQUE_SERVICES.has(component)) services++;
  return services >= 4;
}

function expand(calls: readonly RpcCall[]): RpcCall[] {
  return calls.flatMap((call) => new Array<RpcCall>(call.repeat ?? 1).fill(call));
}

function portOf(deployment: SimulatedDeployment): number {
  return Object.values(deployment.desired.release?.spec.endpoints ?? {})[0]?.port ?? profileOf(deployment.desired.component).defaultPort;
}

function httpEndpoint(deployment: SimulatedDeployment): { port: number; basePath?: string } | undefined {
  const endpoint = Object.values(deployment.desired.release?.spec.endpoints ?? {}).find((item) => item.type === 'HTTP');
  return endpoint ? { port: endpoint.port, ...(endpoint.basePath ? { basePath: endpoint.basePath.replace(/\/+$/, '') } : {}) } : undefined;
}

function spanBase(traceId: string, spanId: string, parentSpanId: string | undefined, name: string, kind: 'SERVER' | 'CLIENT', hop: Hop) {
  const want = hop.deployment.desired;
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    kind,
    service: want.component,
    scope: { namespace: want.namespace, project: want.project, component: want.component, environment: want.environment },
    resource: {
      [OTEL_RESOURCE.k8sPodName]: hop.pod.name,
      [OTEL_RESOURCE.k8sNamespaceName]: hop.deployment.kubernetesNamespace,
      [OTEL_RESOURCE.serviceName]: want.component,
    },
    status: 'ok' as SpanStatus,
  };
}

function errorLog(request: Request, hop: Hop, atUs: number, message: string): PendingLog {
  return { atUs, level: 'ERROR', message: `${message} trace_id=${request.traceId}`, deployment: hop.deployment, pod: hop.pod };
}

function logLine(line: PendingLog, base: number): LogLine {
  const want = line.deployment.desired;
  return {
    timestamp: isoMicros(base + Math.floor(line.atUs)),
    level: line.level,
    message: line.message,
    namespace: want.namespace,
    project: want.project,
    component: want.component,
    environment: want.environment,
    pod: line.pod.name,
    container: 'main',
  };
}

/** Count a served request on the pod: status, latency bucket, CPU. */
function served(deployment: SimulatedDeployment, pod: SimulatedPod, status: string, seconds: number): void {
  pod.http.requestsByStatus[status] = (pod.http.requestsByStatus[status] ?? 0) + 1;
  const bucket = LATENCY_BOUNDS.findIndex((bound) => seconds <= bound);
  pod.http.bucketCounts[bucket < 0 ? LATENCY_BOUNDS.length : bucket]! += 1;
  pod.http.durationSumSeconds += seconds;
  pod.pendingCpuSeconds += profileOf(deployment.desired.component).cpuMsPerRequest / 1000;
  pod.requestsThisTick += 1;
}
