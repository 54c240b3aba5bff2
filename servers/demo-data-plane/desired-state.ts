import { createHash } from 'node:crypto';
import { mergeEnv, mergeResources } from '../control-plane/domain/effective-settings.js';
import { cpuMillicores, memoryBytes } from '../control-plane/domain/names.js';
import type { ComponentRelease, ReleaseBinding } from '../control-plane/domain/resources.js';
import type { ResourceStore } from '../control-plane/store/resource-store.js';

/**
 * What the control plane wants to run, read straight from its store (never through MCP): one entry
 * per ReleaseBinding, with the release it names and the release defaults merged with the binding's
 * overrides (the same merge `get_release_binding` shows as `effective`).
 */
export interface EffectiveResources {
  requests: { cpu?: string; memory?: string };
  limits: { cpu?: string; memory?: string };
  /** The same in cores and bytes; 0 when unset. */
  cpuRequestCores: number;
  cpuLimitCores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
}

export interface DesiredDeployment {
  /** `<namespace>/<binding>`. */
  key: string;
  binding: ReleaseBinding;
  namespace: string;
  project: string;
  component: string;
  environment: string;
  /** Absent when the binding names a release that does not exist. */
  release?: ComponentRelease;
  state: ReleaseBinding['spec']['state'];
  /** Pods that should run: 0 unless Active. */
  replicas: number;
  resources: EffectiveResources;
  env: Array<{ key: string; value: string }>;
  /** Changes when the pod template changes (image, resources, env): pods are replaced. */
  template: string;
  /** Changes when the binding's spec changes. */
  specHash: string;
}

const PAGE = 200;

export interface DesiredStateLimits {
  /** Most bindings handled in one tick (bounded work); the rest wait. */
  maxBindings: number;
}

/** Releases are immutable: one read each, forgotten now and then in case one was deleted and recreated. */
export class ReleaseCache {
  private readonly releases = new Map<string, ComponentRelease>();
  private reads = 0;

  async get(store: ResourceStore, namespace: string, name: string): Promise<ComponentRelease | undefined> {
    if (++this.reads % 5000 === 0) this.releases.clear();
    const key = `${namespace}/${name}`;
    const cached = this.releases.get(key);
    if (cached) return cached;
    const release = await store.get('ComponentRelease', namespace, name);
    if (release) this.releases.set(key, release);
    return release;
  }
}

/** Every namespace's name (paged). */
export async function listNamespaces(store: ResourceStore): Promise<string[]> {
  const names: string[] = [];
  let after: string | undefined;
  do {
    const page = await store.list({ kind: 'Namespace', limit: PAGE, ...(after ? { after } : {}) });
    names.push(...page.items.map((item) => item.metadata.name));
    after = page.next;
  } while (after);
  return names;
}

export async function readDesiredState(
  store: ResourceStore,
  releases: ReleaseCache,
  limits: DesiredStateLimits,
): Promise<{ deployments: DesiredDeployment[]; truncated: boolean }> {
  const deployments: DesiredDeployment[] = [];
  for (const namespace of await listNamespaces(store)) {
    let after: string | undefined;
    do {
      const page = await store.list({ kind: 'ReleaseBinding', namespace, limit: PAGE, ...(after ? { after } : {}) });
      for (const binding of page.items) {
        if (deployments.length >= limits.maxBindings) return { deployments, truncated: true };
        deployments.push(desiredDeployment(binding, await releases.get(store, namespace, binding.spec.releaseName)));
      }
      after = page.next;
    } while (after);
  }
  return { deployments, truncated: false };
}

export function desiredDeployment(binding: ReleaseBinding, release: ComponentRelease | undefined): DesiredDeployment {
  const namespace = binding.metadata.namespace!;
  const overrides = binding.spec.overrides;
  const resources = effectiveResources(release, overrides.resources);
  const env = mergeEnv(release?.spec.env ?? [], overrides.env ?? []);
  const replicas = binding.spec.state === 'Active' && release ? (overrides.replicas ?? release.spec.defaults.replicas) : 0;
  return {
    key: `${namespace}/${binding.metadata.name}`,
    binding,
    namespace,
    project: binding.spec.owner.projectName,
    component: binding.spec.owner.componentName,
    environment: binding.spec.environment,
    ...(release ? { release } : {}),
    state: binding.spec.state,
    replicas,
    resources,
    env,
    template: hash({ image: release?.spec.image, requests: resources.requests, limits: resources.limits, env }),
    specHash: hash(binding.spec),
  };
}

type ResourceOverrides = NonNullable<ReleaseBinding['spec']['overrides']['resources']>;

function effectiveResources(release: ComponentRelease | undefined, overrides: ResourceOverrides | undefined): EffectiveResources {
  const { requests, limits } = mergeResources(release?.spec.defaults.resources, overrides);
  const cores = (quantity: string | undefined) => (quantity ? cpuMillicores(quantity) / 1000 : 0);
  const bytes = (quantity: string | undefined) => (quantity ? memoryBytes(quantity) || 0 : 0);
  return {
    requests,
    limits,
    cpuRequestCores: cores(requests.cpu),
    cpuLimitCores: cores(limits.cpu),
    memoryRequestBytes: bytes(requests.memory),
    memoryLimitBytes: bytes(limits.memory),
  };
}

/** A short stable digest of a JSON value (pod-template hashes, spec change detection). */
export function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 10);
}
