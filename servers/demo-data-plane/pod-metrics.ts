import type { PodSample } from '../observability-plane/backends/telemetry-writer.js';
import type { Random } from './random.js';
import { profileOf } from './service-profiles.js';
import { LATENCY_BOUNDS, runningPods, type SimulatedCluster } from './simulated-cluster.js';

/**
 * One sample per running pod per tick, the way cAdvisor, kube-state-metrics and Hubble would report it:
 * cumulative CPU seconds (a small idle baseline plus the CPU of the requests served this tick — usage
 * follows traffic, never the requests or limits), the memory working set (a per-service base with a
 * slow wobble, growing a little with load), the effective requests and limits, and the cumulative
 * HTTP counters and latency buckets. CPU demand above the CPU limit is throttled: usage stays at the
 * limit and the deployment's `throttle` slows its requests down next tick.
 */
const MiB = 1024 * 1024;

export function podSamples(cluster: SimulatedCluster, elapsedSeconds: number, now: Date, random: Random): PodSample[] {
  const samples: PodSample[] = [];
  for (const deployment of cluster.deployments.values()) {
    const want = deployment.desired;
    const profile = profileOf(want.component);
    const resources = want.resources;
    const hasEndpoints = Object.keys(want.release?.spec.endpoints ?? {}).length > 0;
    let throttle = 1;
    for (const pod of runningPods(deployment)) {
      const idle = (profile.cpuBaselineMillicores / 1000) * elapsedSeconds * (0.9 + 0.2 * random.next());
      const demand = idle + pod.pendingCpuSeconds;
      const capacity = resources.cpuLimitCores > 0 ? resources.cpuLimitCores * elapsedSeconds : Infinity;
      pod.cpuSecondsTotal += Math.min(demand, capacity);
      if (elapsedSeconds > 0 && demand > capacity) throttle = Math.max(throttle, Math.min(20, demand / capacity));
      const requestsPerSecond = elapsedSeconds > 0 ? pod.requestsThisTick / elapsedSeconds : 0;
      pod.pendingCpuSeconds = 0;
      pod.requestsThisTick = 0;
      const wobble = 1 + 0.03 * Math.sin(pod.wobble + now.getTime() / 120_000);
      let memory = (profile.memoryBaseMiB * wobble + profile.memoryPerRpsMiB * requestsPerSecond) * MiB;
      if (resources.memoryLimitBytes > 0) memory = Math.min(memory, resources.memoryLimitBytes * 0.98);
      samples.push({
        scope: { namespace: want.namespace, project: want.project, component: want.component, environment: want.environment },
        pod: pod.name,
        kubernetesNamespace: deployment.kubernetesNamespace,
        time: now,
        cpuSecondsTotal: pod.cpuSecondsTotal,
        memoryWorkingSetBytes: Math.round(memory),
        cpuRequestCores: resources.cpuRequestCores,
        cpuLimitCores: resources.cpuLimitCores,
        memoryRequestBytes: resources.memoryRequestBytes,
        memoryLimitBytes: resources.memoryLimitBytes,
        ...(hasEndpoints
          ? {
              http: {
                requestsByStatus: { ...pod.http.requestsByStatus },
                bounds: [...LATENCY_BOUNDS],
                bucketCounts: [...pod.http.bucketCounts],
                durationSumSeconds: pod.http.durationSumSeconds,
              },
            }
          : {}),
      });
    }
    deployment.throttle = throttle;
  }
  return samples;
}
