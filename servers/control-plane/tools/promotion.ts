import * as z from 'zod';
import { SCOPES } from '../../../shared/auth/scopes.js';
import { ForbiddenError } from '../../../shared/errors/plane-errors.js';
import { bindingNameFor } from '../domain/bindings.js';
import { requirePromotionPath } from '../domain/pipelines.js';
import { requireResource } from '../domain/require-resource.js';
import { CHANGED_BY_ANNOTATION, releaseBindingSchema, type ReleaseBinding } from '../domain/resources.js';
import { environmentTarget } from './support/access.js';
import { componentName, environmentName, namespaceName } from './support/arguments.js';
import { changedFields } from './support/changes.js';
import { controlPlaneTool } from './support/define.js';
import { actorOf } from './support/resources.js';
import { bindingView, changeList, viewBinding } from './support/views.js';

/** The target binding after a promotion, and who changed it (get_release_binding has the details). */
function promotedView(binding: ReleaseBinding) {
  const changedBy = binding.metadata.annotations[CHANGED_BY_ANNOTATION];
  return { ...viewBinding(binding), ...(changedBy ? { changedBy } : {}) };
}

export const promoteComponent = controlPlaneTool({
  name: 'promote_component',
  title: 'Promote component',
  description:
    "Deploy the release running in one environment to the next one, as the project's deployment pipeline allows (e.g. development → staging). Creates or updates the target binding.",
  toolset: 'deployment',
  kind: 'write',
  idempotent: true,
  scope: SCOPES.controlPlaneWrite,
  input: z.object({
    namespace_name: namespaceName,
    component_name: componentName,
    source_environment: environmentName.describe('Where the release runs now, e.g. development'),
    target_environment: environmentName.describe('Where to deploy it; must follow the source in the pipeline'),
  }),
  output: z.object({
    action: z.enum(['created', 'updated', 'unchanged']),
    release: z.string(),
    binding: bindingView.extend({ changedBy: z.string().optional() }),
    changes: changeList,
  }),
  authorization: {
    action: 'releasebinding:update',
    target: async (input, { deps }) => {
      const component = await requireResource(deps.store, 'Component', input.namespace_name, input.component_name);
      const target = await environmentTarget(
        deps.store,
        input.namespace_name,
        { projectName: component.spec.owner.projectName, componentName: input.component_name },
        input.target_environment,
        component,
      );
      return { ...target, loaded: component };
    },
  },
  handler: async (input, context, component) => {
    const { store } = context.deps;
    const namespace = input.namespace_name;
    const project = await requireResource(store, 'Project', namespace, component.spec.owner.projectName);
    const pipeline = await requireResource(store, 'DeploymentPipeline', namespace, project.spec.deploymentPipelineRef);
    requirePromotionPath(pipeline, input.source_environment, input.target_environment);
    const source = await requireResource(
      store,
      'ReleaseBinding',
      namespace,
      bindingNameFor(input.component_name, input.source_environment),
    );
    const targetName = bindingNameFor(input.component_name, input.target_environment);
    const existing = await store.get('ReleaseBinding', namespace, targetName);
    const owner = { projectName: component.spec.owner.projectName, componentName: input.component_name };
    if (!existing) {
      // The call was authorized to update; creating the target binding needs create as well.
      const target = await environmentTarget(store, namespace, owner, input.target_environment);
      const decision = context.policy.decide({
        subject: context.subject,
        action: 'releasebinding:create',
        resource: target.resource,
        attributes: target.attributes ?? {},
      });
      if (!decision.allowed) throw new ForbiddenError(decision);
      const created = await store.create(
        releaseBindingSchema.parse({
          kind: 'ReleaseBinding',
          metadata: { name: targetName, namespace },
          spec: { owner, environment: input.target_environment, releaseName: source.spec.releaseName },
        }),
        actorOf(context),
      );
      return {
        action: 'created' as const,
        release: source.spec.releaseName,
        binding: promotedView(created),
        changes: [{ field: 'spec.releaseName', before: null, after: source.spec.releaseName }],
      };
    }
    const { before, after } = await store.modify('ReleaseBinding', namespace, targetName, actorOf(context), (current) => ({
      ...current,
      spec: { ...current.spec, releaseName: source.spec.releaseName },
    }));
    const changes = changedFields(before, after, ['spec.releaseName']);
    return {
      action: changes.length ? ('updated' as const) : ('unchanged' as const),
      release: source.spec.releaseName,
      binding: promotedView(after),
      changes,
    };
  },
  summarize: (result) => `${result.action}: ${result.binding.component} release ${result.release} in ${result.binding.environment}`,
});

export default [promoteComponent];
