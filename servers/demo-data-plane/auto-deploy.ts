import { bindingNameFor } from '../control-plane/domain/bindings.js';
import { firstEnvironment } from '../control-plane/domain/pipelines.js';
import { releaseBindingSchema, type Component, type ComponentRelease } from '../control-plane/domain/resources.js';
import type { Actor, ResourceStore } from '../control-plane/store/resource-store.js';

/**
 * `autoDeploy`: a freshly built release goes to the first environment of the project's deployment
 * pipeline (the one no promotion path leads to: development in the demo) — the existing binding of
 * the component there is pointed at the release, or a new `<component>-<environment>` binding is made.
 */
export interface AutoDeployResult {
  action: 'created' | 'updated' | 'unchanged' | 'skipped';
  environment?: string;
  binding?: string;
  message: string;
}

export async function autoDeploy(
  store: ResourceStore,
  component: Component,
  release: ComponentRelease,
  actor: Actor,
): Promise<AutoDeployResult> {
  const namespace = component.metadata.namespace!;
  const name = component.metadata.name;
  if (!component.spec.autoDeploy)
    return { action: 'skipped', message: `autoDeploy is off for ${name}: release ${release.metadata.name} was not deployed` };
  const project = await store.get('Project', namespace, component.spec.owner.projectName);
  const pipelineName = project?.spec.deploymentPipelineRef ?? 'default';
  const pipeline = await store.get('DeploymentPipeline', namespace, pipelineName);
  const environment = pipeline ? firstEnvironment(pipeline) : undefined;
  if (!environment)
    return {
      action: 'skipped',
      message: `deployment pipeline ${pipelineName} not found: release ${release.metadata.name} was not deployed`,
    };

  const bindings = await store.list({
    kind: 'ReleaseBinding',
    namespace,
    project: component.spec.owner.projectName,
    component: name,
    limit: 100,
  });
  const existing = bindings.items.find((binding) => binding.spec.environment === environment);
  if (existing) {
    if (existing.spec.releaseName === release.metadata.name) {
      return {
        action: 'unchanged',
        environment,
        binding: existing.metadata.name,
        message: `${existing.metadata.name} already runs ${release.metadata.name}`,
      };
    }
    await store.modify('ReleaseBinding', namespace, existing.metadata.name, actor, (current) => ({
      ...current,
      spec: { ...current.spec, releaseName: release.metadata.name },
    }));
    return {
      action: 'updated',
      environment,
      binding: existing.metadata.name,
      message: `deployed ${release.metadata.name} to ${environment} (updated binding ${existing.metadata.name})`,
    };
  }
  const bindingName = bindingNameFor(name, environment);
  await store.create(
    releaseBindingSchema.parse({
      kind: 'ReleaseBinding',
      metadata: { name: bindingName, namespace },
      spec: {
        owner: { projectName: component.spec.owner.projectName, componentName: name },
        environment,
        releaseName: release.metadata.name,
        state: 'Active',
      },
    }),
    actor,
  );
  return {
    action: 'created',
    environment,
    binding: bindingName,
    message: `deployed ${release.metadata.name} to ${environment} (created binding ${bindingName})`,
  };
}
