import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InvalidInputError } from '../../shared/errors/plane-errors.js';
import { bindingNameFor } from '../../servers/control-plane/domain/bindings.js';
import { checkOverrides, effectiveSettings } from '../../servers/control-plane/domain/effective-settings.js';
import { firstEnvironment, requirePromotionPath } from '../../servers/control-plane/domain/pipelines.js';
import { cutRelease, releaseNameFor } from '../../servers/control-plane/domain/releases.js';
import { requireResource } from '../../servers/control-plane/domain/require-resource.js';
import type { ReleaseBinding } from '../../servers/control-plane/domain/resources.js';
import { resolveRunParameters, startWorkflowRun } from '../../servers/control-plane/domain/workflow-runs.js';
import { DEMO_LOADER_ACTOR, loadDemoOrganisationIfEmpty } from '../../servers/control-plane/gitops/load-demo.js';
import type { ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { ResourceConflictError, ResourceExistsError } from '../../servers/control-plane/store/store-errors.js';
import { SqliteResourceStore } from '../../servers/control-plane/store/sqlite-store.js';
import { modifyLoaded } from '../../servers/control-plane/tools/support/modify-loaded.js';

/** The control plane's rules other than reference integrity, against a real store holding the demo organisation. */
let store: ResourceStore;
const actor = DEMO_LOADER_ACTOR;
const other = { subject: 'user:someone-else', clientId: 'vitest' };

beforeEach(async () => {
  store = new SqliteResourceStore(':memory:');
  await loadDemoOrganisationIfEmpty(store);
});
afterEach(() => store.close());

const withOverrides = (binding: ReleaseBinding, overrides: ReleaseBinding['spec']['overrides']): ReleaseBinding => ({
  ...binding,
  spec: { ...binding.spec, overrides },
});

describe('overrides and what runs', () => {
  it('requests must not exceed limits once overrides meet the release defaults (any units)', async () => {
    const release = await requireResource(store, 'ComponentRelease', 'default', 'cart-v0-10-5');
    const binding = await requireResource(store, 'ReleaseBinding', 'default', 'cart-development');
    expect(() => checkOverrides(release, withOverrides(binding, { resources: { requests: { cpu: '0.1' }, limits: {} } }))).not.toThrow();
    expect(() => checkOverrides(release, withOverrides(binding, { resources: { requests: { cpu: '101m' }, limits: {} } }))).toThrow(
      'cpu request 101m exceeds cpu limit 100m',
    );
    const memory = withOverrides(binding, { resources: { requests: { memory: '1Gi' }, limits: { memory: '1000Mi' } } });
    expect(() => checkOverrides(release, memory)).toThrow('memory request 1Gi exceeds memory limit 1000Mi');
    expect(() => checkOverrides(release, withOverrides(binding, { resources: { requests: {}, limits: { memory: '2Gi' } } }))).not.toThrow();
  });

  it('the effective settings are the defaults with each override applied in place', async () => {
    const release = await requireResource(store, 'ComponentRelease', 'default', 'cart-v0-10-5');
    const firstEnv = release.spec.env[0]!;
    const effective = effectiveSettings(release, {
      replicas: 3,
      resources: { requests: { memory: '128Mi' }, limits: {} },
      env: [
        { key: firstEnv.key, value: 'overridden' },
        { key: 'EXTRA', value: '1' },
      ],
    });
    expect(effective.replicas).toBe(3);
    expect(effective.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '256Mi' } });
    expect(effective.env[0]).toEqual({ key: firstEnv.key, value: 'overridden' });
    expect(effective.env.at(-1)).toEqual({ key: 'EXTRA', value: '1' });
    expect(effective.env).toHaveLength(release.spec.env.length + 1);
  });
});

describe('names, pipelines', () => {
  it('a binding is <component>-<environment>, cut to a valid name', () => {
    expect(bindingNameFor('cart', 'development')).toBe('cart-development');
    const long = bindingNameFor('a'.repeat(62), 'staging');
    expect(long).toBe('a'.repeat(62));
    expect(bindingNameFor('a'.repeat(60), 'staging')).toBe(`${'a'.repeat(60)}-st`);
  });

  it('promotion follows the pipeline, and the pipeline starts where no path leads', async () => {
    const pipeline = await requireResource(store, 'DeploymentPipeline', 'default', 'default');
    expect(firstEnvironment(pipeline)).toBe('development');
    expect(() => requirePromotionPath(pipeline, 'development', 'staging')).not.toThrow();
    const refusal = (source: string, target: string) => {
      try {
        requirePromotionPath(pipeline, source, target);
      } catch (error) {
        return error as InvalidInputError;
      }
      throw new Error(`${source} → ${target} was not refused`);
    };
    expect(refusal('development', 'production')).toMatchObject({
      message: 'pipeline default does not promote development to production',
      hint: 'From development it promotes to: staging.',
    });
    expect(refusal('production', 'development').hint).toBe('production is not a promotion source in this pipeline.');
  });
});

describe('cutting releases', () => {
  it('allocates <component>-<yyyymmdd>-<n>, records the latest, and refuses a name that exists', async () => {
    expect(releaseNameFor('cart', new Date('2026-03-04T23:59:00Z'), 7)).toBe('cart-20260304-7');
    expect(releaseNameFor('c'.repeat(60), new Date('2026-03-04T00:00:00Z'), 1)).toHaveLength(63);
    const cart = await requireResource(store, 'Component', 'default', 'cart');
    const first = await cutRelease(store, cart, actor, 'example.com/cart:1');
    const second = await cutRelease(store, cart, actor, 'example.com/cart:2');
    expect(first.metadata.name).toMatch(/^cart-\d{8}-1$/);
    expect(second.metadata.name).toBe(first.metadata.name.replace(/-1$/, '-2'));
    expect(second.spec).toMatchObject({
      image: 'example.com/cart:2',
      owner: { projectName: 'gcp-microservice-demo', componentName: 'cart' },
    });
    expect(second.spec.defaults.resources.limits).toEqual({ cpu: '100m', memory: '256Mi' });
    expect((await requireResource(store, 'Component', 'default', 'cart')).status?.latestRelease).toBe(second.metadata.name);
    await expect(cutRelease(store, cart, actor, 'x', 'cart-v0-10-5')).rejects.toBeInstanceOf(ResourceExistsError);
  });
});

describe('starting workflow runs', () => {
  it('resolves parameters (override > component > default), refusing unknown and missing required ones', async () => {
    const workflow = await requireResource(store, 'Workflow', 'default', 'dockerfile-builder');
    expect(resolveRunParameters(workflow, { repository: 'r', branch: 'dev' }, { branch: 'fix' })).toMatchObject({
      repository: 'r',
      branch: 'fix',
    });
    expect(resolveRunParameters(workflow, { repository: 'r' }, {})).toMatchObject({ branch: 'main' });
    expect(() => resolveRunParameters(workflow, { repository: 'r' }, { colour: 'blue' })).toThrow(/has no parameter\(s\) colour/);
    expect(() => resolveRunParameters(workflow, {}, {})).toThrow(/needs parameter repository/);
  });

  it('names a run after its component and the next free number', async () => {
    const workflow = await requireResource(store, 'Workflow', 'default', 'dockerfile-builder');
    const greeter = await requireResource(store, 'Component', 'default', 'greeting-service');
    const run = await startWorkflowRun(store, 'default', workflow, { repository: 'r' }, greeter, actor);
    expect(run.metadata.name).toBe('greeting-service-build-02');
    expect(run.status?.tasks.map((task) => task.phase)).toEqual(['Pending', 'Pending', 'Pending', 'Pending']);
    expect((await startWorkflowRun(store, 'default', workflow, { repository: 'r' }, undefined, actor)).metadata.name).toBe(
      'dockerfile-builder-run-03',
    );
  });
});

describe('modifyLoaded: an update starting from the object the authorization target read', () => {
  const scale = (replicas: number) => (binding: ReleaseBinding) => withOverrides(binding, { ...binding.spec.overrides, replicas });

  it('writes from the loaded object when nothing changed in between', async () => {
    const loaded = await requireResource(store, 'ReleaseBinding', 'default', 'cart-development');
    const { before, after } = await modifyLoaded(store, loaded, actor, scale(2));
    expect(before).toEqual(loaded);
    expect(after.spec.overrides.replicas).toBe(2);
    expect(Number(after.metadata.resourceVersion)).toBe(Number(loaded.metadata.resourceVersion) + 1);
  });

  it('a change made after the read is not lost: without a version the change is re-applied on the fresh object', async () => {
    const loaded = await requireResource(store, 'ReleaseBinding', 'default', 'cart-development');
    await store.modify('ReleaseBinding', 'default', 'cart-development', other, (binding) => ({
      ...binding,
      spec: { ...binding.spec, state: 'Suspended' },
    }));
    const { after } = await modifyLoaded(store, loaded, actor, scale(2));
    expect(after.spec).toMatchObject({ state: 'Suspended', overrides: { replicas: 2 } });
  });

  it('with the version the caller read, a change made in between is refused and nothing is written', async () => {
    const loaded = await requireResource(store, 'ReleaseBinding', 'default', 'cart-development');
    const version = loaded.metadata.resourceVersion!;
    await store.modify('ReleaseBinding', 'default', 'cart-development', other, scale(5));
    await expect(modifyLoaded(store, loaded, actor, scale(2), { expectedVersion: version })).rejects.toBeInstanceOf(ResourceConflictError);
    // A version other than the loaded one is decided on a fresh read: stale is refused too.
    await expect(modifyLoaded(store, loaded, actor, scale(2), { expectedVersion: '1' })).rejects.toBeInstanceOf(ResourceConflictError);
    expect((await requireResource(store, 'ReleaseBinding', 'default', 'cart-development')).spec.overrides.replicas).toBe(5);
  });

  it('refuses a change that renames the object', async () => {
    const loaded = await requireResource(store, 'ReleaseBinding', 'default', 'cart-development');
    await expect(
      modifyLoaded(store, loaded, actor, (binding) => ({ ...binding, metadata: { ...binding.metadata, name: 'cart-staging' } })),
    ).rejects.toThrow(/must not change the kind, namespace or name/);
    expect(await store.get('ReleaseBinding', 'default', 'cart-staging')).toBeUndefined();
  });
});
