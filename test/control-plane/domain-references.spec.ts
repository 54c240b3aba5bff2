import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../../shared/errors/plane-errors.js';
import { checkChangedBinding, checkNewBinding } from '../../servers/control-plane/domain/bindings.js';
import { checkChangedWorkflow, checkNewComponent } from '../../servers/control-plane/domain/components.js';
import { describeReferenceProblem, findReferenceProblems, requireReferences } from '../../servers/control-plane/domain/references.js';
import {
  componentSchema,
  parseResource,
  releaseBindingSchema,
  workflowSchema,
  type Component,
  type PlatformResource,
  type ReleaseBinding,
} from '../../servers/control-plane/domain/resources.js';
import { DEMO_LOADER_ACTOR, loadDemoOrganisationIfEmpty } from '../../servers/control-plane/gitops/load-demo.js';
import type { ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { SqliteResourceStore } from '../../servers/control-plane/store/sqlite-store.js';

/** Reference integrity, as tools refuse it and as GitOps apply reports it, against the demo organisation. */
let store: ResourceStore;

beforeEach(async () => {
  store = new SqliteResourceStore(':memory:');
  await loadDemoOrganisationIfEmpty(store);
});
afterEach(() => store.close());

const component = (spec: Partial<Component['spec']> & { componentType: string }, namespace = 'default') =>
  componentSchema.parse({ kind: 'Component', metadata: { name: 'web', namespace }, spec: { owner: { projectName: 'default' }, ...spec } });
const binding = (spec: { projectName?: string; componentName?: string; environment?: string; releaseName: string }) =>
  releaseBindingSchema.parse({
    kind: 'ReleaseBinding',
    metadata: { name: 'b', namespace: 'default' },
    spec: {
      owner: { projectName: spec.projectName ?? 'gcp-microservice-demo', componentName: spec.componentName ?? 'email' },
      environment: spec.environment ?? 'staging',
      releaseName: spec.releaseName,
    },
  });

async function refusal(check: Promise<unknown>) {
  const error = await check.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeDefined();
  return error as InvalidInputError | NotFoundError;
}

describe('requireReferences: a tool refuses the first problem as a typed error', () => {
  it('passes a project whose namespace and pipeline exist, and names a missing pipeline with the tool that lists them', async () => {
    const project = (namespace: string, pipeline: string) =>
      parseResource({ kind: 'Project', metadata: { name: 'p', namespace }, spec: { deploymentPipelineRef: pipeline } });
    expect((await requireReferences(store, project('default', 'default'))).map(({ target }) => target.kind)).toEqual([
      'Namespace',
      'DeploymentPipeline',
    ]);
    const missingPipeline = await refusal(requireReferences(store, project('default', 'nope')));
    expect(missingPipeline).toBeInstanceOf(InvalidInputError);
    expect(missingPipeline.message).toBe('deployment pipeline nope does not exist in default');
    expect(missingPipeline.hint).toBe('Call list_deployment_pipelines to see the pipelines.');
    const missingNamespace = await refusal(requireReferences(store, project('nope', 'default')));
    expect(missingNamespace).toBeInstanceOf(NotFoundError);
    expect(missingNamespace.message).toBe('Namespace nope not found');
  });

  it('a component: type (by workload type too), workflow, and the workflow its type allows', async () => {
    await checkNewComponent(
      store,
      component({ componentType: 'deployment/service', workflow: { name: 'dockerfile-builder', parameters: {} } }),
    );
    for (const type of ['deployment/nope', 'statefulset/service']) {
      const error = await refusal(checkNewComponent(store, component({ componentType: type })));
      expect(error.message).toBe(`component type ${type} does not exist in default`);
      expect(error.hint).toBe('Call list_component_types for the available types.');
    }
    const noWorkflow = await refusal(
      checkNewComponent(store, component({ componentType: 'deployment/service', workflow: { name: 'nope', parameters: {} } })),
    );
    expect([noWorkflow.message, noWorkflow.hint]).toEqual([
      'workflow nope does not exist in default',
      'Call list_workflows for the available workflows.',
    ]);

    await store.create(
      workflowSchema.parse({
        kind: 'Workflow',
        metadata: { name: 'other-builder', namespace: 'default' },
        spec: { tasks: [{ name: 'build' }] },
      }),
      DEMO_LOADER_ACTOR,
    );
    const withOther = component({ componentType: 'deployment/service', workflow: { name: 'other-builder', parameters: {} } });
    const notAllowed = await refusal(checkNewComponent(store, withOther));
    expect([notAllowed.message, notAllowed.hint]).toEqual([
      'component type deployment/service does not allow workflow other-builder',
      'Allowed: dockerfile-builder.',
    ]);
    // A changed workflow is checked the same way, and only the type and workflow references are read.
    expect((await refusal(checkChangedWorkflow(store, withOther))).message).toMatch(/does not allow workflow other-builder/);
    const inMissingProject = {
      ...withOther,
      spec: { ...withOther.spec, owner: { projectName: 'nope' }, workflow: { name: 'dockerfile-builder', parameters: {} } },
    };
    await expect(checkChangedWorkflow(store, inMissingProject)).resolves.toBeUndefined();
    expect((await refusal(checkNewComponent(store, inMissingProject))).message).toBe('Project default/nope not found');
  });

  it('a new binding: component in its project, environment, and a release of that component; returns the release', async () => {
    expect((await checkNewBinding(store, binding({ releaseName: 'email-v0-10-5' }))).metadata.name).toBe('email-v0-10-5');
    const wrongProject = await refusal(checkNewBinding(store, binding({ projectName: 'default', releaseName: 'email-v0-10-5' })));
    expect(wrongProject.message).toBe('component email belongs to project gcp-microservice-demo, not default');
    expect((await refusal(checkNewBinding(store, binding({ environment: 'qa', releaseName: 'email-v0-10-5' })))).message).toBe(
      'Environment default/qa not found',
    );
    const otherRelease = await refusal(checkNewBinding(store, binding({ releaseName: 'cart-v0-10-5' })));
    expect([otherRelease.message, otherRelease.hint]).toEqual([
      'release cart-v0-10-5 belongs to component cart, not email',
      'Call list_component_releases for this component.',
    ]);
    expect((await refusal(checkNewBinding(store, binding({ releaseName: 'nope' })))).message).toBe(
      'ComponentRelease default/nope not found',
    );
  });

  it('a changed binding checks only the release it names (and its overrides)', async () => {
    const moved = binding({ environment: 'qa', releaseName: 'email-v0-10-5' });
    await expect(checkChangedBinding(store, moved)).resolves.toMatchObject({ metadata: { name: 'email-v0-10-5' } });
    expect((await refusal(checkChangedBinding(store, { ...moved, spec: { ...moved.spec, releaseName: 'cart-v0-10-5' } }))).message).toMatch(
      /belongs to component cart/,
    );
    const greedy: ReleaseBinding = { ...moved, spec: { ...moved.spec, overrides: { resources: { requests: { cpu: '2' }, limits: {} } } } };
    expect((await refusal(checkChangedBinding(store, greedy))).message).toBe('cpu request 2 exceeds cpu limit 100m');
  });
});

describe('findReferenceProblems: GitOps apply reports every problem, in reference order', () => {
  const lookupIn =
    (extra: PlatformResource[] = []) =>
    async (kind: PlatformResource['kind'], name: string) =>
      extra.find((item) => item.kind === kind && item.metadata.name === name) ??
      ((await store.get(kind, kind === 'Namespace' ? undefined : 'default', name)) as PlatformResource | undefined);

  it('names each missing or disagreeing target by field', async () => {
    const problems = await findReferenceProblems(
      binding({ projectName: 'default', componentName: 'cart', environment: 'qa', releaseName: 'email-v0-10-5' }),
      lookupIn(),
    );
    expect(problems.map(describeReferenceProblem)).toEqual([
      'spec.owner.componentName: Component cart belongs to project gcp-microservice-demo, not default',
      'spec.environment: Environment qa does not exist in namespace default',
      'spec.releaseName: ComponentRelease email-v0-10-5 belongs to gcp-microservice-demo/email, not default/cart',
    ]);
    const typed = await findReferenceProblems(component({ componentType: 'statefulset/service' }, 'elsewhere'), lookupIn());
    expect(typed.map(describeReferenceProblem)).toEqual([
      'metadata.namespace: Namespace elsewhere does not exist',
      'spec.componentType: ComponentType service has workloadType deployment, not statefulset',
    ]);
  });

  it('resolves through the lookup it is given (objects of the same apply), and finds none for a sound object', async () => {
    const pipeline = parseResource({
      kind: 'DeploymentPipeline',
      metadata: { name: 'p', namespace: 'default' },
      spec: { promotionPaths: [{ sourceEnvironmentRef: 'development', targetEnvironmentRefs: [{ name: 'qa' }, { name: 'staging' }] }] },
    });
    expect((await findReferenceProblems(pipeline, lookupIn())).map(describeReferenceProblem)).toEqual([
      'spec.promotionPaths[0].targetEnvironmentRefs[0].name: Environment qa does not exist in namespace default',
    ]);
    const qa = parseResource({ kind: 'Environment', metadata: { name: 'qa', namespace: 'default' }, spec: {} });
    expect(await findReferenceProblems(pipeline, lookupIn([qa]))).toEqual([]);
  });
});
