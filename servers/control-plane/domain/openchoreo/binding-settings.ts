import * as z from 'zod';
import { InvalidInputError } from '../../../../shared/errors/plane-errors.js';
import { cpuMillicores, cpuQuantity, envVarName, memoryBytes, memoryQuantity } from '../names.js';
import type { SecretKeyRef } from './common.js';
import type { ComponentRelease } from './component-release.js';
import type { ComponentTypeSpec } from './component-type.js';
import { SettingsValidationError, validateSettings, withSchemaDefaults, type OpenApiSchema } from './environment-configs.js';
import { releaseBindingSchema, type ReleaseBinding } from './release-binding.js';
import type { EnvVar } from './workload-spec.js';
import type { Workload } from './workload.js';

/** Where each per-environment tool argument lands inside `spec.componentTypeEnvironmentConfigs`. */
export const ENVIRONMENT_CONFIG_PATHS = {
  replicas: ['replicas'],
  cpu_request: ['resources', 'requests', 'cpu'],
  cpu_limit: ['resources', 'limits', 'cpu'],
  memory_request: ['resources', 'requests', 'memory'],
  memory_limit: ['resources', 'limits', 'memory'],
} as const;

export const CONFIGS_PATH = 'spec.componentTypeEnvironmentConfigs';
export const ENV_OVERRIDES_PATH = 'spec.workloadOverrides.container.env';

/** Each binding tool argument and the ReleaseBinding field it changes (for change lists and docs). */
export const BINDING_ARGUMENT_FIELDS = {
  ...(Object.fromEntries(
    Object.entries(ENVIRONMENT_CONFIG_PATHS).map(([name, path]) => [name, `${CONFIGS_PATH}.${path.join('.')}`]),
  ) as Record<keyof typeof ENVIRONMENT_CONFIG_PATHS, string>),
  env: ENV_OVERRIDES_PATH,
  remove_env: ENV_OVERRIDES_PATH,
};

/** The tool arguments that change one deployment (release binding), validated as tools validate them. */
export const bindingSettingsArguments = z.strictObject({
  replicas: z.int().min(0).max(100).optional(),
  cpu_request: cpuQuantity.optional(),
  cpu_limit: cpuQuantity.optional(),
  memory_request: memoryQuantity.optional(),
  memory_limit: memoryQuantity.optional(),
  env: z
    .array(z.strictObject({ key: envVarName, value: z.string().max(4096) }))
    .max(100)
    .optional(),
  remove_env: z.array(envVarName).max(100).optional(),
});

export type BindingSettings = z.infer<typeof bindingSettingsArguments>;

/** The environmentConfigs schema a binding's settings are checked against: the one frozen in its release. */
export function environmentConfigsSchemaOf(source: ComponentRelease | { spec: ComponentTypeSpec }): OpenApiSchema | undefined {
  const spec = 'componentType' in source.spec ? source.spec.componentType.spec : source.spec;
  return spec.environmentConfigs?.openAPIV3Schema;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Set `path` in `target` (mutating it), creating the objects on the way. */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const child = node[segment];
    node = isRecord(child) ? child : (node[segment] = {});
  }
  node[path.at(-1)!] = value;
}

function valueAt(source: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, segment) => (isRecord(node) ? node[segment] : undefined), source);
}

/** Env overrides after `set` (merged by key: a key set again keeps its place) and `remove` (by key). */
export function mergeEnv(
  current: readonly EnvVar[],
  set: readonly { key: string; value: string }[] = [],
  remove: readonly string[] = [],
): EnvVar[] {
  const byKey = new Map(current.map((entry) => [entry.key, entry]));
  for (const key of remove) byKey.delete(key);
  for (const entry of set) byKey.set(entry.key, { key: entry.key, value: entry.value });
  return [...byKey.values()];
}

/** Replace a binding's env overrides, dropping containers left empty (an empty override is no override). */
function setEnvOverrides(binding: ReleaseBinding, env: EnvVar[]): void {
  const container = { ...binding.spec.workloadOverrides?.container };
  if (env.length > 0) container.env = env;
  else delete container.env;
  const overrides = { ...binding.spec.workloadOverrides };
  if (Object.keys(container).length > 0) overrides.container = container;
  else delete overrides.container;
  if (Object.keys(overrides).length > 0) binding.spec.workloadOverrides = overrides;
  else delete binding.spec.workloadOverrides;
}

/** An env var as it reaches the container: a literal, or a reference to a SecretReference key (never its value). */
export type EffectiveEnvVar =
  | { key: string; value: string; source: 'workload' | 'binding' }
  | { key: string; secretKeyRef: SecretKeyRef; source: 'workload' | 'binding' };

/** The Workload's env with the binding's overrides merged over it by key. */
export function effectiveEnv(workload: Workload, binding: ReleaseBinding): EffectiveEnvVar[] {
  const merged = new Map<string, EffectiveEnvVar>();
  const add = (entries: readonly EnvVar[] | undefined, source: 'workload' | 'binding') => {
    for (const entry of entries ?? []) {
      const secret = entry.valueFrom?.secretKeyRef;
      merged.set(
        entry.key,
        secret ? { key: entry.key, secretKeyRef: { ...secret }, source } : { key: entry.key, value: entry.value ?? '', source },
      );
    }
  };
  add(workload.spec.container.env, 'workload');
  add(binding.spec.workloadOverrides?.container?.env, 'binding');
  return [...merged.values()];
}

/** The replicas and resources a binding runs with, after the schema's defaults. */
export interface EffectiveResources {
  replicas?: number;
  requests: { cpu?: string; memory?: string };
  limits: { cpu?: string; memory?: string };
}

/**
 * Effective settings of a binding: the component type's environmentConfigs defaults ⊕ the binding's
 * componentTypeEnvironmentConfigs (undeclared keys pruned, as OpenChoreo renders them).
 */
export function effectiveEnvironmentConfigs(schema: OpenApiSchema | undefined, binding: ReleaseBinding): Record<string, unknown> {
  const configs = binding.spec.componentTypeEnvironmentConfigs ?? {};
  return schema ? ((withSchemaDefaults(schema, configs) as Record<string, unknown> | undefined) ?? {}) : { ...configs };
}

export function effectiveResources(configs: Record<string, unknown>): EffectiveResources {
  const text = (path: readonly string[]) => {
    const value = valueAt(configs, path);
    return typeof value === 'string' ? value : undefined;
  };
  const replicas = valueAt(configs, ENVIRONMENT_CONFIG_PATHS.replicas);
  const pick = (cpu: string | undefined, memory: string | undefined) => ({ ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) });
  return {
    ...(typeof replicas === 'number' ? { replicas } : {}),
    requests: pick(text(ENVIRONMENT_CONFIG_PATHS.cpu_request), text(ENVIRONMENT_CONFIG_PATHS.memory_request)),
    limits: pick(text(ENVIRONMENT_CONFIG_PATHS.cpu_limit), text(ENVIRONMENT_CONFIG_PATHS.memory_limit)),
  };
}

/** Requests must not exceed limits once the defaults are filled in. */
export function checkRequestsWithinLimits(resources: EffectiveResources): void {
  const { requests, limits } = resources;
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

/**
 * Apply tool arguments to a binding: replicas and CPU/memory into componentTypeEnvironmentConfigs,
 * validated against the component type's environmentConfigs schema; env vars into workloadOverrides
 * (merged and removed by key; secret-backed entries stay references). Only the fields named change.
 */
export function applyBindingSettings(binding: ReleaseBinding, input: BindingSettings, schema: OpenApiSchema | undefined): ReleaseBinding {
  const parsed = bindingSettingsArguments.safeParse(input);
  if (!parsed.success) {
    throw new SettingsValidationError(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  }
  const settings = parsed.data;
  const next = structuredClone(binding);
  const named = (Object.keys(ENVIRONMENT_CONFIG_PATHS) as (keyof typeof ENVIRONMENT_CONFIG_PATHS)[]).filter(
    (name) => settings[name] !== undefined,
  );
  if (named.length > 0) {
    if (!schema) {
      throw new SettingsValidationError(
        named.map((name) => ({
          path: `${CONFIGS_PATH}.${ENVIRONMENT_CONFIG_PATHS[name].join('.')}`,
          message: 'the component type declares no per-environment settings',
        })),
      );
    }
    const configs: Record<string, unknown> = next.spec.componentTypeEnvironmentConfigs ?? {};
    for (const name of named) setPath(configs, ENVIRONMENT_CONFIG_PATHS[name], settings[name]);
    validateSettings(schema, configs, CONFIGS_PATH);
    next.spec.componentTypeEnvironmentConfigs = configs;
    checkRequestsWithinLimits(effectiveResources(effectiveEnvironmentConfigs(schema, next)));
  }
  if (settings.env !== undefined || settings.remove_env !== undefined) {
    setEnvOverrides(next, mergeEnv(next.spec.workloadOverrides?.container?.env ?? [], settings.env, settings.remove_env));
  }
  return releaseBindingSchema.parse(next);
}
