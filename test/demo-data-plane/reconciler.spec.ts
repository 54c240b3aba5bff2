import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseBinding } from '../../servers/control-plane/domain/resources.js';
import type { ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { DEMO_DATA_PLANE_ACTOR } from '../../servers/demo-data-plane/demo-data-plane.js';
import { startHarness, USER, type Harness } from './harness.js';

const BOUTIQUE = ['ad', 'cart', 'checkout', 'currency', 'email', 'frontend', 'payment', 'productcatalog', 'recommendation', 'shipping'];

/**
 * A store that, the first time the data plane writes a binding's status, lets a "user" change the
 * binding's spec in between the data plane's read and its compare-and-swap — the race `modify` must
 * survive. Everything goes to the real store.
 */
function racingStore(
  store: ResourceStore,
  bindingName: string,
  userWrite: () => Promise<void>,
): { store: ResourceStore; arm: () => void; raced: () => boolean } {
  let armed = false;
  let raced = false;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'modify') {
        const modify: ResourceStore['modify'] = (kind, namespace, name, actor, change, options) =>
          target.modify(
            kind,
            namespace,
            name,
            actor,
            async (current) => {
              if (armed && !raced && name === bindingName && actor.subject === DEMO_DATA_PLANE_ACTOR.subject) {
                raced = true;
                await userWrite();
              }
              return change(current);
            },
            options,
          );
        return modify;
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, arm: () => void (armed = true), raced: () => raced };
}

describe('demo data plane: reconciler', () => {
  let harness: Harness;
  let race: ReturnType<typeof racingStore> | undefined;
  const binding = async (name: string) => (await harness.store.get('ReleaseBinding', 'default', name)) as ReleaseBinding;
  const ready = (item: ReleaseBinding) => item.status?.conditions.find((condition) => condition.type === 'Ready');

  beforeAll(async () => {
    harness = await startHarness({
      requestsPerSecond: 1,
      wrapStore: (store) => {
        race = racingStore(store, 'cart-development', async () => {
          await store.modify('ReleaseBinding', 'default', 'cart-development', USER, (current) => ({
            ...current,
            spec: { ...current.spec, overrides: { ...current.spec.overrides, replicas: 3 } },
          }));
        });
        return race.store;
      },
    });
  }, 120_000);
  afterAll(async () => harness?.close());

  it('pods start one tick after their binding is seen, then every demo binding reports ready replicas', async () => {
    await harness.ticks(1);
    const starting = await binding('frontend-development');
    expect(starting.status).toMatchObject({ readyReplicas: 0, desiredReplicas: 1 });
    expect(ready(starting)).toMatchObject({ status: 'False', reason: 'PodsStarting' });

    await harness.ticks(1);
    for (const component of [...BOUTIQUE, 'greeting-service']) {
      const item = await binding(`${component}-development`);
      expect(item.status, component).toMatchObject({ readyReplicas: 1, desiredReplicas: 1 });
      expect(ready(item), component).toMatchObject({ status: 'True', reason: 'Available' });
      expect(item.status?.observedVersion).toMatch(/^\d+$/);
    }
    expect((await binding('frontend-development')).status?.endpoints).toEqual([
      { name: 'http', url: 'http://frontend.development.default.plane.local:8080' },
    ]);
    expect((await binding('productcatalog-development')).status?.endpoints).toEqual([
      { name: 'grpc', url: 'grpc://productcatalog.development.default.plane.local:3550' },
    ]);
    expect(harness.log()).not.toMatch(/"level":50/);
  });

  it('writes status only when it changes (a steady binding keeps its resourceVersion)', async () => {
    const before = (await binding('email-development')).metadata.resourceVersion;
    await harness.ticks(3);
    expect((await binding('email-development')).metadata.resourceVersion).toBe(before);
  });

  it('a status write racing a user spec change keeps the spec change (status goes through modify)', async () => {
    // Armed: the data plane's next status write to cart-development lets a user set replicas=3 in between.
    race?.arm();
    await harness.store.modify('ReleaseBinding', 'default', 'cart-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, overrides: { ...current.spec.overrides, env: [{ key: 'LOG_LEVEL', value: 'debug' }] } },
    }));
    await harness.ticks(1);
    expect(race?.raced()).toBe(true);
    const raced = await binding('cart-development');
    expect(raced.spec.overrides.replicas).toBe(3);
    expect(raced.spec.overrides.env).toEqual([{ key: 'LOG_LEVEL', value: 'debug' }]);
    // Status reports do not claim authorship: the last spec change was the user's.
    expect(raced.metadata.annotations['plane-mcp.dev/changed-by']).toBe(USER.subject);
    // The data plane acted on the spec it read (1 replica, new env → new pods); the next passes pick up replicas=3.
    await harness.ticks(3);
    const settled = await binding('cart-development');
    expect(settled.status).toMatchObject({ readyReplicas: 3, desiredReplicas: 3 });
    expect(ready(settled)).toMatchObject({ status: 'True', reason: 'Available' });
  });

  it('scaling to 0 makes readyReplicas 0 with reason ScaledToZero; observedVersion names the version acted on', async () => {
    const { after } = await harness.store.modify('ReleaseBinding', 'default', 'productcatalog-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, overrides: { ...current.spec.overrides, replicas: 0 } },
    }));
    await harness.ticks(1);
    const scaled = await binding('productcatalog-development');
    expect(scaled.spec.overrides.replicas).toBe(0);
    expect(scaled.status).toMatchObject({ readyReplicas: 0, desiredReplicas: 0, observedVersion: after.metadata.resourceVersion });
    expect(ready(scaled)).toMatchObject({ status: 'False', reason: 'ScaledToZero' });
    expect(scaled.status?.endpoints).toHaveLength(1);

    await harness.store.modify('ReleaseBinding', 'default', 'productcatalog-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, overrides: { ...current.spec.overrides, replicas: 1 } },
    }));
    await harness.ticks(2);
    expect((await binding('productcatalog-development')).status).toMatchObject({ readyReplicas: 1, desiredReplicas: 1 });
  });

  it('Suspended and Undeploy stop the pods with their own reasons; Undeploy removes the endpoints', async () => {
    await harness.store.modify('ReleaseBinding', 'default', 'ad-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, state: 'Suspended' },
    }));
    await harness.store.modify('ReleaseBinding', 'default', 'email-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, state: 'Undeploy' },
    }));
    await harness.ticks(1);
    const suspended = await binding('ad-development');
    expect(suspended.status).toMatchObject({ readyReplicas: 0, desiredReplicas: 0 });
    expect(ready(suspended)).toMatchObject({ status: 'False', reason: 'Suspended' });
    expect(suspended.status?.endpoints).toHaveLength(1);
    const undeployed = await binding('email-development');
    expect(undeployed.status).toMatchObject({ readyReplicas: 0, desiredReplicas: 0, endpoints: [] });
    expect(ready(undeployed)).toMatchObject({ status: 'False', reason: 'Undeployed' });
  });

  it('a memory limit below what the service needs crash-loops its pods (OOMKilled), and a new resource override rolls pods over', async () => {
    await harness.store.modify('ReleaseBinding', 'default', 'currency-development', USER, (current) => ({
      ...current,
      spec: {
        ...current.spec,
        overrides: { ...current.spec.overrides, resources: { requests: { memory: '32Mi' }, limits: { memory: '32Mi' } } },
      },
    }));
    await harness.ticks(3);
    const crashing = await binding('currency-development');
    // The old pod keeps serving until a new one is ready, as a rolling update does.
    expect(crashing.status).toMatchObject({ readyReplicas: 1, desiredReplicas: 1 });
    expect(ready(crashing)).toMatchObject({ status: 'True', reason: 'RollingUpdate' });
    expect(ready(crashing)?.message).toMatch(/OOMKilled \(memory limit 32Mi, it needs about 58Mi\)/);

    await harness.store.modify('ReleaseBinding', 'default', 'checkout-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, overrides: { ...current.spec.overrides, replicas: 0 } },
    }));
    await harness.ticks(1);
    await harness.store.modify('ReleaseBinding', 'default', 'checkout-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, overrides: { replicas: 1, resources: { requests: { memory: '16Mi' }, limits: { memory: '16Mi' } } } },
    }));
    await harness.ticks(2);
    const oom = await binding('checkout-development');
    expect(oom.status).toMatchObject({ readyReplicas: 0, desiredReplicas: 1 });
    expect(ready(oom)).toMatchObject({ status: 'False', reason: 'CrashLoopBackOff' });
    expect(ready(oom)?.message).toMatch(/OOMKilled \(memory limit 16Mi, it needs about 34Mi\)/);

    await harness.store.modify('ReleaseBinding', 'default', 'checkout-development', USER, (current) => ({
      ...current,
      spec: {
        ...current.spec,
        overrides: { replicas: 1, resources: { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } } },
      },
    }));
    await harness.ticks(2);
    const fixed = await binding('checkout-development');
    expect(fixed.status).toMatchObject({ readyReplicas: 1, desiredReplicas: 1 });
    expect(ready(fixed)).toMatchObject({ status: 'True', reason: 'Available' });
  });

  it('a deleted binding stops its deployment; a binding naming a missing release reports ReleaseNotFound', async () => {
    await harness.store.modify('ReleaseBinding', 'default', 'shipping-development', USER, (current) => ({
      ...current,
      spec: { ...current.spec, releaseName: 'shipping-v9-9-9' },
    }));
    await harness.ticks(1);
    const missing = await binding('shipping-development');
    expect(missing.status).toMatchObject({ readyReplicas: 0, desiredReplicas: 0 });
    expect(ready(missing)).toMatchObject({ status: 'False', reason: 'ReleaseNotFound' });
    await harness.store.delete('ReleaseBinding', 'default', 'shipping-development');
    await harness.ticks(1);
    expect(harness.log()).not.toMatch(/"level":50/);
  });
});
