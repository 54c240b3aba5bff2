import type { DesiredDeployment } from './desired-state.js';
import type { Random } from './random.js';
import { profileOf } from './service-profiles.js';

/**
 * The simulated cluster: one deployment per binding, its pods and their counters. Pods behave like
 * Kubernetes ones, in ticks: a new pod starts `podStartTicks` after it is created; a changed pod
 * template (image, resources, env) rolls out new pods and removes the old ones once the new ones are
 * ready; scaling down removes pods at once; a pod whose working set exceeds its memory limit is
 * OOMKilled on start and stays in CrashLoopBackOff (restarting with a growing back-off).
 */
export type PodPhase = 'Starting' | 'Running' | 'CrashLoopBackOff';

/** Histogram upper bounds (seconds) of the HTTP latency buckets, Hubble's defaults. */
export const LATENCY_BOUNDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HttpCounters {
  requestsByStatus: Record<string, number>;
  /** Per bucket (LATENCY_BOUNDS.length + 1, the last for +Inf), cumulative since the pod started. */
  bucketCounts: number[];
  durationSumSeconds: number;
}

export interface SimulatedPod {
  name: string;
  template: string;
  phase: PodPhase;
  /** The tick at which the pod (re)starts. */
  startAtTick: number;
  startedAt?: Date;
  restarts: number;
  /** Why the last container instance ended (`OOMKilled`). */
  lastTermination?: string;
  cpuSecondsTotal: number;
  /** CPU the pod's requests cost during the current tick (settled by the metrics step). */
  pendingCpuSeconds: number;
  /** Requests served during the current tick. */
  requestsThisTick: number;
  http: HttpCounters;
  /** A per-pod phase for the slow memory wobble. */
  wobble: number;
}

export interface SimulatedDeployment {
  key: string;
  desired: DesiredDeployment;
  pods: SimulatedPod[];
  kubernetesNamespace: string;
  /** ≥ 1: how far CPU demand exceeded the CPU limit last tick; callers see latency grow by it. */
  throttle: number;
  /** The spec the data plane last acted on and the resourceVersion it had then. */
  acted: { specHash: string; version: string };
}

/** A pod that (re)started this tick: its startup lines are logged. */
export interface PodStart {
  deployment: SimulatedDeployment;
  pod: SimulatedPod;
  /** Set when the container is killed right after starting. */
  killedBecause?: string;
}

const MiB = 1024 * 1024;
const MAX_BACKOFF_TICKS = 30;

export class SimulatedCluster {
  readonly deployments = new Map<string, SimulatedDeployment>();

  constructor(
    private readonly random: Random,
    private readonly podStartTicks: number,
  ) {}

  /** Move every deployment one tick towards what is desired; forget deployments whose binding is gone. */
  apply(desired: readonly DesiredDeployment[], tick: number, now: Date, options: { complete: boolean }): PodStart[] {
    const starts: PodStart[] = [];
    const seen = new Set<string>();
    for (const want of desired) {
      seen.add(want.key);
      let deployment = this.deployments.get(want.key);
      if (!deployment) {
        deployment = {
          key: want.key,
          desired: want,
          pods: [],
          kubernetesNamespace: kubernetesNamespace(want),
          throttle: 1,
          acted: { specHash: want.specHash, version: want.binding.metadata.resourceVersion ?? '' },
        };
        this.deployments.set(want.key, deployment);
      }
      if (deployment.acted.specHash !== want.specHash)
        deployment.acted = { specHash: want.specHash, version: want.binding.metadata.resourceVersion ?? '' };
      deployment.desired = want;
      starts.push(...this.step(deployment, tick, now));
    }
    if (options.complete) {
      for (const key of [...this.deployments.keys()]) if (!seen.has(key)) this.deployments.delete(key);
    }
    return starts;
  }

  /** The deployments of one (namespace, project, environment), by component. */
  groups(): Map<string, Map<string, SimulatedDeployment>> {
    const groups = new Map<string, Map<string, SimulatedDeployment>>();
    for (const deployment of this.deployments.values()) {
      const { namespace, project, environment, component } = deployment.desired;
      const key = `${namespace}/${project}/${environment}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = new Map()));
      group.set(component, deployment);
    }
    return groups;
  }

  private step(deployment: SimulatedDeployment, tick: number, now: Date): PodStart[] {
    const want = deployment.desired;
    const starts: PodStart[] = [];
    for (const pod of deployment.pods) {
      if (pod.phase === 'Running' || tick < pod.startAtTick) continue;
      const killedBecause = oomReason(deployment, pod.template === want.template);
      pod.startedAt = now;
      if (killedBecause) {
        pod.phase = 'CrashLoopBackOff';
        pod.restarts += pod.lastTermination ? 1 : 0;
        pod.lastTermination = 'OOMKilled';
        pod.startAtTick = tick + Math.min(MAX_BACKOFF_TICKS, 2 ** Math.min(pod.restarts + 1, 5));
      } else {
        pod.phase = 'Running';
      }
      starts.push({ deployment, pod, ...(killedBecause ? { killedBecause } : {}) });
    }
    const current = deployment.pods.filter((pod) => pod.template === want.template);
    // Scale the current template: remove extras (not-running first), add missing pods.
    if (current.length > want.replicas) {
      const remove = new Set(
        [...current].sort((a, b) => Number(a.phase === 'Running') - Number(b.phase === 'Running')).slice(0, current.length - want.replicas),
      );
      deployment.pods = deployment.pods.filter((pod) => !remove.has(pod));
    }
    for (let count = current.length; count < want.replicas; count++) deployment.pods.push(this.newPod(want, tick));
    // Roll out: old-template pods go once enough new ones run (at once when scaled to zero).
    const currentRunning = deployment.pods.filter((pod) => pod.template === want.template && pod.phase === 'Running').length;
    let oldBudget = Math.max(0, want.replicas - currentRunning);
    deployment.pods = deployment.pods.filter((pod) => {
      if (pod.template === want.template) return true;
      if (pod.phase !== 'Running' || oldBudget === 0) return false;
      oldBudget--;
      return true;
    });
    return starts;
  }

  private newPod(want: DesiredDeployment, tick: number): SimulatedPod {
    const suffix = Array.from({ length: 5 }, () => 'bcdfghjklmnpqrstvwxz2456789'[this.random.int(0, 26)]).join('');
    return {
      name: `${want.component}-${want.template.slice(0, 10)}-${suffix}`.slice(0, 63),
      template: want.template,
      phase: 'Starting',
      startAtTick: tick + this.podStartTicks,
      restarts: 0,
      cpuSecondsTotal: 0,
      pendingCpuSeconds: 0,
      requestsThisTick: 0,
      http: { requestsByStatus: {}, bucketCounts: new Array<number>(LATENCY_BOUNDS.length + 1).fill(0), durationSumSeconds: 0 },
      wobble: this.random.next() * Math.PI * 2,
    };
  }
}

export function runningPods(deployment: SimulatedDeployment | undefined): SimulatedPod[] {
  return deployment ? deployment.pods.filter((pod) => pod.phase === 'Running') : [];
}

/** The working set a pod of this deployment needs at rest, in bytes. */
export function baseMemoryBytes(deployment: SimulatedDeployment): number {
  return profileOf(deployment.desired.component).memoryBaseMiB * MiB;
}

/** Why a pod would be killed right after starting (its memory limit is below what it needs). */
function oomReason(deployment: SimulatedDeployment, currentTemplate: boolean): string | undefined {
  const limit = deployment.desired.resources.memoryLimitBytes;
  const needs = baseMemoryBytes(deployment);
  if (!currentTemplate || limit <= 0 || needs <= limit) return undefined;
  return `OOMKilled: the process needs about ${Math.round(needs / MiB)}Mi but the memory limit is ${deployment.desired.resources.limits.memory}`;
}

function kubernetesNamespace(want: DesiredDeployment): string {
  return `dp-${want.namespace}-${want.project}-${want.environment}`.slice(0, 63).replace(/-+$/, '');
}
