import { InvalidInputError } from '../../../shared/errors/plane-errors.js';
import { cpuMillicores, memoryBytes } from './names.js';
import type { ComponentRelease, ReleaseBinding } from './resources.js';

/**
 * What runs in an environment: the release's defaults with the binding's overrides applied. The
 * tools' views, the override checks and the demo data plane all derive it here.
 */
type Overrides = ReleaseBinding['spec']['overrides'];
type Resources = ComponentRelease['spec']['defaults']['resources'];
type EnvVar = { key: string; value: string };

export interface ResourceQuantities {
  requests: Resources['requests'];
  limits: Resources['limits'];
}

/** Requests and limits: each quantity the overrides set replaces the default. */
export function mergeResources(defaults: Resources | undefined, overrides: Overrides['resources']): ResourceQuantities {
  return {
    requests: { ...defaults?.requests, ...overrides?.requests },
    limits: { ...defaults?.limits, ...overrides?.limits },
  };
}

/** Environment variables merged by key; an override replaces the release's value in place. */
export function mergeEnv(base: readonly EnvVar[], overrides: readonly EnvVar[]): EnvVar[] {
  const merged = new Map(base.map((entry) => [entry.key, entry.value]));
  for (const entry of overrides) merged.set(entry.key, entry.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}

export function effectiveSettings(release: ComponentRelease, overrides: Overrides) {
  return {
    replicas: overrides.replicas ?? release.spec.defaults.replicas,
    resources: mergeResources(release.spec.defaults.resources, overrides.resources),
    env: mergeEnv(release.spec.env, overrides.env ?? []),
  };
}

/** Requests must not exceed limits once the binding's overrides are applied to the release defaults. */
export function checkOverrides(release: ComponentRelease, binding: ReleaseBinding): void {
  const { requests, limits } = mergeResources(release.spec.defaults.resources, binding.spec.overrides.resources);
  if (requests.cpu && limits.cpu && cpuMillicores(requests.cpu) > cpuMillicores(limits.cpu)) {
    throw new InvalidInputError(`cpu request ${requests.cpu} exceeds cpu limit ${limits.cpu}`, 'Lower the request or raise the limit.');
  }
  if (requests.memory && limits.memory && memoryBytes(requests.memory) > memoryBytes(limits.memory)) {
    throw new InvalidInputError(
      `memory request ${requests.memory} exceeds memory limit ${limits.memory}`,
      'Lower the request or raise the limit.',
    );
  }
}
