import type { ReleaseBinding } from '../control-plane/domain/resources.js';
import { baseMemoryBytes, runningPods, type SimulatedDeployment } from './simulated-cluster.js';

/**
 * The status a binding reports for its simulated deployment: ready and desired replicas, the
 * resourceVersion of the spec acted on, a `Ready` condition whose reason says why (Available,
 * RollingUpdate, PodsStarting, CrashLoopBackOff, ScaledToZero, Suspended, Undeployed,
 * ReleaseNotFound), and the endpoint URLs.
 */
export type BindingStatus = NonNullable<ReleaseBinding['status']>;
type Condition = BindingStatus['conditions'][number];

const SCHEMES: Record<string, string> = { HTTP: 'http', GraphQL: 'http', Websocket: 'ws', gRPC: 'grpc', TCP: 'tcp', UDP: 'udp' };

export function bindingStatus(deployment: SimulatedDeployment, previous: BindingStatus | undefined, now: string): BindingStatus {
  const want = deployment.desired;
  const ready = runningPods(deployment).length;
  const condition = readyCondition(deployment, ready);
  const before = previous?.conditions.find((item) => item.type === 'Ready');
  const lastTransitionTime = before?.status === condition.status && before.lastTransitionTime ? before.lastTransitionTime : now;
  const endpoints =
    want.release && want.state !== 'Undeploy'
      ? Object.entries(want.release.spec.endpoints).map(([name, endpoint]) => ({
          name,
          url: `${SCHEMES[endpoint.type] ?? 'http'}://${want.component}.${want.environment}.${want.namespace}.plane.local:${endpoint.port}${endpoint.basePath ?? ''}`,
        }))
      : [];
  return {
    readyReplicas: ready,
    desiredReplicas: want.replicas,
    observedVersion: deployment.acted.version,
    conditions: [...(previous?.conditions.filter((item) => item.type !== 'Ready') ?? []), { ...condition, lastTransitionTime }],
    endpoints,
  };
}

function readyCondition(deployment: SimulatedDeployment, ready: number): Omit<Condition, 'lastTransitionTime'> {
  const want = deployment.desired;
  const no = (reason: string, message: string) => ({ type: 'Ready', status: 'False' as const, reason, message });
  if (!want.release) return no('ReleaseNotFound', `release ${want.binding.spec.releaseName} does not exist; nothing runs`);
  if (want.state === 'Undeploy') return no('Undeployed', 'state is Undeploy: the pods and endpoints were removed (the binding stays)');
  if (want.state === 'Suspended') return no('Suspended', 'state is Suspended: scaled to 0 pods; the endpoints stay');
  if (want.replicas === 0) return no('ScaledToZero', 'replicas is 0: no pods run, so callers get connection refused');
  const crashing = deployment.pods.find((pod) => pod.phase === 'CrashLoopBackOff');
  const crash = crashing
    ? `pod ${crashing.name}: container main was OOMKilled (memory limit ${want.resources.limits.memory ?? 'unset'}, it needs about ${Math.round(baseMemoryBytes(deployment) / (1024 * 1024))}Mi); restarted ${crashing.restarts} time(s)`
    : undefined;
  if (ready >= want.replicas) {
    const pending = deployment.pods.filter((pod) => pod.template !== want.template || pod.phase !== 'Running').length;
    if (pending === 0) return { type: 'Ready', status: 'True', reason: 'Available', message: `${ready}/${want.replicas} pods ready` };
    const rollout = `${ready}/${want.replicas} pods ready; rolling out the new pod template (${pending} pod(s) pending)`;
    return {
      type: 'Ready',
      status: 'True',
      reason: 'RollingUpdate',
      message: crash ? `${rollout}; the new pods crash: ${crash}` : rollout,
    };
  }
  if (crash) return no('CrashLoopBackOff', `${ready}/${want.replicas} pods ready; ${crash}`);
  return no('PodsStarting', `${ready}/${want.replicas} pods ready; starting`);
}

/** Two statuses say the same (transition times aside): no write needed. */
export function sameStatus(a: BindingStatus | undefined, b: BindingStatus): boolean {
  if (!a) return false;
  const strip = (status: BindingStatus) => ({
    readyReplicas: status.readyReplicas,
    desiredReplicas: status.desiredReplicas,
    observedVersion: status.observedVersion,
    conditions: status.conditions.map(({ lastTransitionTime: _time, ...rest }) => rest),
    endpoints: status.endpoints,
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
