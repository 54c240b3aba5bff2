import * as z from 'zod';
import { envVarName } from '../names.js';
import { API_VERSION, objectName } from './common.js';
import type { Component } from './component.js';
import { ENDPOINT_TYPES, ENDPOINT_VISIBILITIES, type EndpointDependency } from './workload-spec.js';
import { workloadSchema, type Workload } from './workload.js';

/** The tool arguments that describe what a component runs (image, endpoints, dependencies, env). */
export const workloadSettingsArguments = z.strictObject({
  image: z.string().min(1).max(300).optional(),
  endpoints: z
    .record(
      objectName,
      z.strictObject({
        type: z.enum(ENDPOINT_TYPES),
        port: z.int().min(1).max(65535),
        visibility: z.array(z.enum(ENDPOINT_VISIBILITIES)).optional(),
        basePath: z.string().max(200).optional(),
      }),
    )
    .optional(),
  dependencies: z
    .array(
      z.strictObject({
        component: objectName,
        endpoint: objectName,
        /** The env var that receives the endpoint's address. */
        env_var: envVarName.optional(),
        /** Another project's component (reached at namespace visibility); the component's own project when left out. */
        project: objectName.optional(),
      }),
    )
    .max(50)
    .optional(),
  env: z
    .array(z.strictObject({ key: envVarName, value: z.string().max(4096) }))
    .max(100)
    .optional(),
});

export type WorkloadSettings = z.infer<typeof workloadSettingsArguments>;
export type DependencyArgument = NonNullable<WorkloadSettings['dependencies']>[number];

/** `{component, endpoint, env_var}` → a Workload endpoint connection handing the address to `env_var`. */
export function endpointDependencyFrom(dependency: DependencyArgument, ownProject: string): EndpointDependency {
  const project = dependency.project ?? ownProject;
  return {
    component: dependency.component,
    name: dependency.endpoint,
    project,
    visibility: project === ownProject ? 'project' : 'namespace',
    envBindings: dependency.env_var ? { address: dependency.env_var } : {},
  };
}

/** The reverse, for showing a Workload's dependencies in tool arguments' terms. */
export function dependencyArgumentOf(dependency: EndpointDependency): DependencyArgument {
  return {
    component: dependency.component,
    endpoint: dependency.name,
    ...(dependency.envBindings.address ? { env_var: dependency.envBindings.address } : {}),
    ...(dependency.project ? { project: dependency.project } : {}),
  };
}

/**
 * Apply tool arguments to a component's Workload: image → spec.container.image, endpoints →
 * spec.endpoints, dependencies → spec.dependencies.endpoints, env → spec.container.env. A field named
 * replaces what was there; others are kept (resource dependencies, files, secret-backed env …).
 */
export function applyWorkloadSettings(workload: Workload, input: WorkloadSettings): Workload {
  const settings = workloadSettingsArguments.parse(input);
  const next = structuredClone(workload);
  if (settings.image !== undefined) next.spec.container.image = settings.image;
  if (settings.env !== undefined) next.spec.container.env = settings.env.map((entry) => ({ key: entry.key, value: entry.value }));
  if (settings.endpoints !== undefined) next.spec.endpoints = settings.endpoints;
  if (settings.dependencies !== undefined) {
    const endpoints = settings.dependencies.map((dependency) => endpointDependencyFrom(dependency, next.spec.owner.projectName));
    next.spec.dependencies = { ...next.spec.dependencies, endpoints };
  }
  return workloadSchema.parse(next);
}

/** A new component's Workload, named after the component as OpenChoreo's samples and builds name it. */
export function workloadFor(component: Component, input: WorkloadSettings & { image: string }): Workload {
  const empty = workloadSchema.parse({
    apiVersion: API_VERSION,
    kind: 'Workload',
    metadata: { name: component.metadata.name, ...(component.metadata.namespace ? { namespace: component.metadata.namespace } : {}) },
    spec: {
      owner: { projectName: component.spec.owner.projectName, componentName: component.metadata.name },
      container: { image: input.image },
    },
  });
  return applyWorkloadSettings(empty, input);
}
