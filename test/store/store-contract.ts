import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../shared/audit/audit-event.js';
import {
  CHANGED_BY_ANNOTATION,
  CHANGED_THROUGH_ANNOTATION,
  parseResource,
  type Component,
  type Namespace,
  type Project,
  type ReleaseBinding,
} from '../../servers/control-plane/domain/resources.js';
import type { Actor, ResourceStore } from '../../servers/control-plane/store/resource-store.js';
import { ResourceConflictError, ResourceExistsError, ResourceNotFoundError } from '../../servers/control-plane/store/store-errors.js';

/** One empty database; every `open()` is a new store (own connection or pool) on the same data. */
export interface TestStoreDatabase {
  open(): Promise<ResourceStore>;
  drop(): Promise<void>;
}

export interface StoreHarness {
  newDatabase(): Promise<TestStoreDatabase>;
}

export const alice: Actor = { subject: 'user:alice', clientId: 'cursor' };
export const bob: Actor = { subject: 'service:ci-deployer', clientId: 'ci-deployer' };

export function namespace(name: string): Namespace {
  return parseResource({ kind: 'Namespace', metadata: { name }, spec: {} }) as Namespace;
}

export function project(ns: string, name: string): Project {
  return parseResource({ kind: 'Project', metadata: { name, namespace: ns }, spec: {} }) as Project;
}

export function component(ns: string, projectName: string, name: string, extra: Partial<Component['spec']> = {}): Component {
  return parseResource({
    kind: 'Component',
    metadata: { name, namespace: ns, labels: { team: 'shop' }, annotations: { note: 'keep me' } },
    spec: { owner: { projectName }, componentType: 'deployment/service', image: `ghcr.io/demo/${name}:1`, ...extra },
  }) as Component;
}

export function binding(ns: string, projectName: string, componentName: string, environment: string): ReleaseBinding {
  return parseResource({
    kind: 'ReleaseBinding',
    metadata: { name: `${componentName}-${environment}`, namespace: ns },
    spec: { owner: { projectName, componentName }, environment, releaseName: `${componentName}-r1` },
  }) as ReleaseBinding;
}

function auditEvent(index: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: `evt-${String(index).padStart(3, '0')}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    plane: 'control-plane',
    subject: 'user:alice',
    subjectType: 'user',
    groups: ['developers'],
    clientId: 'cursor',
    tool: 'get_component',
    action: 'component:view',
    resource: 'ns/default/project/shop',
    decision: 'allow',
    rule: 'developers@ns/default',
    arguments: { name: 'cart', nested: { list: [1, 2, 3] } },
    outcome: 'success',
    durationMs: index,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The behaviour every `ResourceStore` backend must have; run by each backend's spec against a real database. */
export function storeContract(backend: 'sqlite' | 'postgres', harness: StoreHarness): void {
  describe(`ResourceStore contract (${backend})`, () => {
    let database: TestStoreDatabase;
    let store: ResourceStore;
    const opened: ResourceStore[] = [];
    const open = async () => {
      const next = await database.open();
      opened.push(next);
      return next;
    };

    beforeEach(async () => {
      database = await harness.newDatabase();
      store = await open();
    });

    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await database.drop();
    });

    it('reports its backend', () => {
      expect(store.backend).toBe(backend);
    });

    describe('create and get', () => {
      it('stores an object at version 1 with timestamps and the actor annotations, and reads it back', async () => {
        const created = await store.create(component('default', 'shop', 'cart'), alice);
        expect(created.metadata.resourceVersion).toBe('1');
        expect(created.metadata.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(created.metadata.updatedAt).toBe(created.metadata.createdAt);
        expect(created.metadata.annotations).toEqual({
          note: 'keep me',
          [CHANGED_BY_ANNOTATION]: 'user:alice',
          [CHANGED_THROUGH_ANNOTATION]: 'cursor',
        });
        expect(created.metadata.labels).toEqual({ team: 'shop' });

        const read = await store.get('Component', 'default', 'cart');
        expect(read).toEqual(created);
        expect(read?.spec.owner.projectName).toBe('shop');
      });

      it('returns undefined for a missing object', async () => {
        expect(await store.get('Component', 'default', 'nope')).toBeUndefined();
      });

      it('keys Namespaces without a namespace', async () => {
        await store.create(namespace('team-a'), alice);
        expect((await store.get('Namespace', undefined, 'team-a'))?.metadata.name).toBe('team-a');
        expect((await store.get('Namespace', 'ignored', 'team-a'))?.metadata.name).toBe('team-a');
      });

      it('ignores a version or timestamps the caller put on the object', async () => {
        const input = component('default', 'shop', 'cart');
        input.metadata.resourceVersion = '42';
        input.metadata.createdAt = '1999-01-01T00:00:00.000Z';
        const created = await store.create(input, alice);
        expect(created.metadata.resourceVersion).toBe('1');
        expect(created.metadata.createdAt).not.toBe('1999-01-01T00:00:00.000Z');
      });

      it('refuses a duplicate (kind, namespace, name) and keeps the original', async () => {
        const original = await store.create(component('default', 'shop', 'cart'), alice);
        const error = await rejection(store.create(component('default', 'other', 'cart'), bob));
        expect(error).toBeInstanceOf(ResourceExistsError);
        expect(await store.get('Component', 'default', 'cart')).toEqual(original);
        // The same name in another namespace or of another kind is another object.
        await store.create(component('staging', 'shop', 'cart'), alice);
        await store.create(project('default', 'cart'), alice);
        expect(await store.count('Component')).toBe(2);
      });

      it('round-trips awkward strings exactly (quotes, unicode, NUL)', async () => {
        const odd = 'quote " backslash \\ emoji 🚀 ünïcødé nul \u0000 end';
        const created = await store.create(component('default', 'shop', 'cart', { env: [{ key: 'ODD', value: odd }] }), alice);
        expect(created.spec.env[0]?.value).toBe(odd);
        expect((await store.get('Component', 'default', 'cart'))?.spec.env[0]?.value).toBe(odd);
      });

      it('hands out copies: changing a returned object changes nothing stored', async () => {
        const created = await store.create(component('default', 'shop', 'cart'), alice);
        created.spec.image = 'mutated';
        expect((await store.get('Component', 'default', 'cart'))?.spec.image).toBe('ghcr.io/demo/cart:1');
      });
    });

    describe('list', () => {
      it('orders by name bytewise, whatever the insertion order or the database locale', async () => {
        for (const name of ['b', 'ab', 'a1b', 'a-b', 'a0', 'a-a']) await store.create(component('default', 'shop', name), alice);
        const page = await store.list({ kind: 'Component', namespace: 'default', limit: 100 });
        expect(page.items.map((item) => item.metadata.name)).toEqual(['a-a', 'a-b', 'a0', 'a1b', 'ab', 'b']);
        expect(page.next).toBeUndefined();
        expect(page.items[0]?.metadata.resourceVersion).toBe('1');
      });

      it('filters by namespace, project and component', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        await store.create(component('default', 'shop', 'checkout'), alice);
        await store.create(component('default', 'greeter', 'greeter-service'), alice);
        await store.create(component('other', 'shop', 'cart'), alice);
        await store.create(binding('default', 'shop', 'cart', 'development'), alice);
        await store.create(binding('default', 'shop', 'cart', 'production'), alice);
        await store.create(binding('default', 'shop', 'checkout', 'development'), alice);
        await store.create(binding('default', 'greeter', 'greeter-service', 'development'), alice);

        const names = async (query: Parameters<ResourceStore['list']>[0]) =>
          (await store.list(query)).items.map((item) => item.metadata.name);
        expect(await names({ kind: 'Component', namespace: 'default', limit: 10 })).toEqual(['cart', 'checkout', 'greeter-service']);
        expect(await names({ kind: 'Component', namespace: 'other', limit: 10 })).toEqual(['cart']);
        expect(await names({ kind: 'Component', namespace: 'nowhere', limit: 10 })).toEqual([]);
        expect(await names({ kind: 'Component', namespace: 'default', project: 'shop', limit: 10 })).toEqual(['cart', 'checkout']);
        expect(await names({ kind: 'Component', namespace: 'default', project: 'shop', component: 'cart', limit: 10 })).toEqual(['cart']);
        expect(await names({ kind: 'ReleaseBinding', namespace: 'default', project: 'shop', limit: 10 })).toEqual([
          'cart-development',
          'cart-production',
          'checkout-development',
        ]);
        expect(await names({ kind: 'ReleaseBinding', namespace: 'default', project: 'shop', component: 'cart', limit: 10 })).toEqual([
          'cart-development',
          'cart-production',
        ]);
        expect(await names({ kind: 'ReleaseBinding', namespace: 'default', project: 'greeter', limit: 10 })).toEqual([
          'greeter-service-development',
        ]);
        expect(await names({ kind: 'Project', namespace: 'default', limit: 10 })).toEqual([]);
      });

      it('lists Namespaces without a namespace', async () => {
        for (const name of ['zeta', 'alpha']) await store.create(namespace(name), alice);
        const page = await store.list({ kind: 'Namespace', limit: 10 });
        expect(page.items.map((item) => item.metadata.name)).toEqual(['alpha', 'zeta']);
      });

      it('pages with keyset `after` and `limit`, with `next` only while more may follow', async () => {
        const all = ['c01', 'c02', 'c03', 'c04', 'c05', 'c06', 'c07'];
        for (const name of [...all].reverse()) await store.create(component('default', 'shop', name), alice);

        const seen: string[] = [];
        const pages: number[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await store.list({ kind: 'Component', namespace: 'default', limit: 3, ...(after ? { after } : {}) });
          seen.push(...page.items.map((item) => item.metadata.name));
          pages.push(page.items.length);
          if (!page.next) break;
          expect(page.next).toBe(page.items.at(-1)?.metadata.name);
          after = page.next;
        }
        expect(seen).toEqual(all);
        expect(pages).toEqual([3, 3, 1]);

        // An exact multiple of the limit: the last full page says there is no more.
        const six = await store.list({ kind: 'Component', namespace: 'default', limit: 3, after: 'c04' });
        expect(six.items.map((item) => item.metadata.name)).toEqual(['c05', 'c06', 'c07']);
        expect(six.next).toBeUndefined();

        // `after` is exclusive and need not exist.
        const mid = await store.list({ kind: 'Component', namespace: 'default', limit: 2, after: 'c035' });
        expect(mid.items.map((item) => item.metadata.name)).toEqual(['c04', 'c05']);
        expect(mid.next).toBe('c05');

        const past = await store.list({ kind: 'Component', namespace: 'default', limit: 2, after: 'zzz' });
        expect(past).toEqual({ items: [] });
      });

      it('pages within filters', async () => {
        for (const name of ['a1', 'a2', 'a3', 'a4']) await store.create(component('default', 'shop', name), alice);
        for (const name of ['b1', 'b2']) await store.create(component('default', 'other', name), alice);
        const first = await store.list({ kind: 'Component', namespace: 'default', project: 'shop', limit: 2 });
        expect(first.items.map((item) => item.metadata.name)).toEqual(['a1', 'a2']);
        const second = await store.list({ kind: 'Component', namespace: 'default', project: 'shop', limit: 2, after: first.next! });
        expect(second.items.map((item) => item.metadata.name)).toEqual(['a3', 'a4']);
        expect(second.next).toBeUndefined();
      });

      it('counts per kind and in total', async () => {
        expect(await store.count()).toBe(0);
        await store.create(namespace('default'), alice);
        await store.create(project('default', 'shop'), alice);
        await store.create(component('default', 'shop', 'cart'), alice);
        await store.create(component('default', 'shop', 'checkout'), alice);
        expect(await store.count('Component')).toBe(2);
        expect(await store.count('Namespace')).toBe(1);
        expect(await store.count('WorkflowRun')).toBe(0);
        expect(await store.count()).toBe(4);
      });
    });

    describe('update', () => {
      it('bumps the version, keeps createdAt, moves updatedAt and stamps the new actor', async () => {
        const created = await store.create(component('default', 'shop', 'cart'), alice);
        await sleep(5);
        const changed = { ...created, spec: { ...created.spec, image: 'ghcr.io/demo/cart:2' } };
        const updated = await store.update(changed, bob, { expectedVersion: '1' });
        expect(updated.metadata.resourceVersion).toBe('2');
        expect(updated.metadata.createdAt).toBe(created.metadata.createdAt);
        expect(updated.metadata.updatedAt! > created.metadata.updatedAt!).toBe(true);
        expect(updated.metadata.annotations).toEqual({
          note: 'keep me',
          [CHANGED_BY_ANNOTATION]: 'service:ci-deployer',
          [CHANGED_THROUGH_ANNOTATION]: 'ci-deployer',
        });
        expect(updated.spec.image).toBe('ghcr.io/demo/cart:2');
        expect(await store.get('Component', 'default', 'cart')).toEqual(updated);

        // Without an expected version the write is unconditional, and still bumps the version.
        const third = await store.update({ ...updated, spec: { ...updated.spec, image: 'ghcr.io/demo/cart:3' } }, alice);
        expect(third.metadata.resourceVersion).toBe('3');
        expect(third.metadata.annotations[CHANGED_BY_ANNOTATION]).toBe('user:alice');
      });

      it('a status report keeps naming who last changed the object, and still bumps the version', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        const { after } = await store.modify(
          'Component',
          'default',
          'cart',
          bob,
          (current) => ({ ...current, status: { conditions: [], latestRelease: 'cart-r1' } }),
          { statusReport: true },
        );
        expect(after.metadata.resourceVersion).toBe('2');
        expect(after.status?.latestRelease).toBe('cart-r1');
        expect(after.metadata.annotations[CHANGED_BY_ANNOTATION]).toBe('user:alice');
      });

      it('moves an object between owners in the list filters', async () => {
        const created = await store.create(component('default', 'shop', 'cart'), alice);
        await store.update({ ...created, spec: { ...created.spec, owner: { projectName: 'other' } } }, alice);
        expect((await store.list({ kind: 'Component', namespace: 'default', project: 'shop', limit: 10 })).items).toEqual([]);
        expect((await store.list({ kind: 'Component', namespace: 'default', project: 'other', limit: 10 })).items).toHaveLength(1);
      });

      it('refuses a stale expectedVersion, naming both versions, and changes nothing', async () => {
        const created = await store.create(component('default', 'shop', 'cart'), alice);
        const second = await store.update({ ...created, spec: { ...created.spec, image: 'v2' } }, alice, { expectedVersion: '1' });
        const error = await rejection(
          store.update({ ...created, spec: { ...created.spec, image: 'stale' } }, bob, { expectedVersion: '1' }),
        );
        expect(error).toBeInstanceOf(ResourceConflictError);
        expect(error).toMatchObject({
          expected: '1',
          actual: '2',
          kind: 'Component',
          namespace: 'default',
          resourceName: 'cart',
          code: 'ERR_CONFLICT',
        });
        expect((error as Error).message).toContain('you had version 1, it is now 2');
        expect(await store.get('Component', 'default', 'cart')).toEqual(second);
      });

      it('refuses an expectedVersion that is not a version at all', async () => {
        const created = await store.create(component('default', 'shop', 'cart'), alice);
        for (const expectedVersion of ['abc', '', '0', '-1', '1.0', '99999999999999999999']) {
          const error = await rejection(store.update(created, alice, { expectedVersion }));
          expect(error, expectedVersion).toBeInstanceOf(ResourceConflictError);
          expect(error).toMatchObject({ expected: expectedVersion, actual: '1' });
        }
        expect((await store.get('Component', 'default', 'cart'))?.metadata.resourceVersion).toBe('1');
      });

      it('refuses a missing object with not-found, with or without a version', async () => {
        expect(await rejection(store.update(component('default', 'shop', 'ghost'), alice))).toBeInstanceOf(ResourceNotFoundError);
        expect(await rejection(store.update(component('default', 'shop', 'ghost'), alice, { expectedVersion: '1' }))).toBeInstanceOf(
          ResourceNotFoundError,
        );
        expect(await store.count()).toBe(0);
      });
    });

    describe('delete', () => {
      it('deletes and returns the object; a second delete is not-found', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        const deleted = await store.delete('Component', 'default', 'cart', { expectedVersion: '1' });
        expect(deleted.metadata.name).toBe('cart');
        expect(deleted.metadata.resourceVersion).toBe('1');
        expect(await store.get('Component', 'default', 'cart')).toBeUndefined();
        const error = await rejection(store.delete('Component', 'default', 'cart'));
        expect(error).toBeInstanceOf(ResourceNotFoundError);
        expect(error).toMatchObject({ code: 'ERR_NOT_FOUND', kind: 'Component', namespace: 'default', resourceName: 'cart' });
      });

      it('refuses a stale version and keeps the object', async () => {
        const created = await store.create(component('default', 'shop', 'cart'), alice);
        await store.update(created, alice);
        const error = await rejection(store.delete('Component', 'default', 'cart', { expectedVersion: '1' }));
        expect(error).toBeInstanceOf(ResourceConflictError);
        expect(error).toMatchObject({ expected: '1', actual: '2' });
        expect((await store.get('Component', 'default', 'cart'))?.metadata.resourceVersion).toBe('2');
        expect(await rejection(store.delete('Component', 'default', 'ghost', { expectedVersion: '1' }))).toBeInstanceOf(
          ResourceNotFoundError,
        );
      });

      it('deletes a Namespace by name alone', async () => {
        await store.create(namespace('team-a'), alice);
        await store.delete('Namespace', undefined, 'team-a');
        expect(await store.count('Namespace')).toBe(0);
      });
    });

    describe('modify', () => {
      it('reads, changes and writes, returning before and after', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        const { before, after } = await store.modify('Component', 'default', 'cart', bob, (current) => {
          current.spec.autoDeploy = false;
          return current;
        });
        expect(before.metadata.resourceVersion).toBe('1');
        expect(before.spec.autoDeploy).toBe(true);
        expect(after.metadata.resourceVersion).toBe('2');
        expect(after.spec.autoDeploy).toBe(false);
        expect(after.metadata.annotations[CHANGED_BY_ANNOTATION]).toBe('service:ci-deployer');
      });

      it('passes the expectedVersion through and refuses a stale one without calling change', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        await store.modify('Component', 'default', 'cart', alice, (current) => current, { expectedVersion: '1' });
        let called = false;
        const error = await rejection(
          store.modify('Component', 'default', 'cart', alice, (current) => ((called = true), current), { expectedVersion: '1' }),
        );
        expect(error).toBeInstanceOf(ResourceConflictError);
        expect(error).toMatchObject({ expected: '1', actual: '2' });
        expect(called).toBe(false);
      });

      it('with an expectedVersion, refuses at once when another writer wins during change', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        const other = await open();
        let calls = 0;
        const error = await rejection(
          store.modify(
            'Component',
            'default',
            'cart',
            alice,
            async (current) => {
              calls++;
              await other.modify('Component', 'default', 'cart', bob, (c) => ({ ...c, spec: { ...c.spec, image: 'theirs' } }));
              return { ...current, spec: { ...current.spec, image: 'mine' } };
            },
            { expectedVersion: '1' },
          ),
        );
        expect(error).toBeInstanceOf(ResourceConflictError);
        expect(calls).toBe(1);
        expect((await store.get('Component', 'default', 'cart'))?.spec.image).toBe('theirs');
      });

      it('without an expectedVersion, re-runs change on the fresh object after losing a race', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        const other = await open();
        let calls = 0;
        const { after } = await store.modify('Component', 'default', 'cart', alice, async (current) => {
          calls++;
          if (calls === 1) await other.modify('Component', 'default', 'cart', bob, (c) => ({ ...c, spec: { ...c.spec, image: 'theirs' } }));
          return { ...current, spec: { ...current.spec, autoDeploy: false } };
        });
        expect(calls).toBe(2);
        expect(after.spec.image).toBe('theirs');
        expect(after.spec.autoDeploy).toBe(false);
        expect(after.metadata.resourceVersion).toBe('3');
      });

      it('refuses a missing object, and a change that renames', async () => {
        expect(await rejection(store.modify('Component', 'default', 'ghost', alice, (current) => current))).toBeInstanceOf(
          ResourceNotFoundError,
        );
        await store.create(component('default', 'shop', 'cart'), alice);
        const error = await rejection(
          store.modify('Component', 'default', 'cart', alice, (current) => ({
            ...current,
            metadata: { ...current.metadata, name: 'cart2' },
          })),
        );
        expect((error as Error).message).toMatch(/must not change/);
        expect(await store.get('Component', 'default', 'cart2')).toBeUndefined();
      });

      it('propagates an error thrown by change and writes nothing', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        const error = await rejection(
          store.modify('Component', 'default', 'cart', alice, () => {
            throw new Error('no, thanks');
          }),
        );
        expect((error as Error).message).toBe('no, thanks');
        expect((await store.get('Component', 'default', 'cart'))?.metadata.resourceVersion).toBe('1');
      });
    });

    describe('concurrency', () => {
      const N = 8;

      it(`N=${N} parallel updates with the same expectedVersion, over two store instances: exactly one wins`, async () => {
        const other = await open();
        const created = await store.create(component('default', 'shop', 'cart'), alice);
        const results = await Promise.allSettled(
          Array.from({ length: N }, (_, index) =>
            (index % 2 ? other : store).update({ ...created, spec: { ...created.spec, image: `writer-${index}` } }, alice, {
              expectedVersion: '1',
            }),
          ),
        );
        const winners = results.filter((result) => result.status === 'fulfilled');
        const losers = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(N - 1);
        for (const loser of losers) {
          expect(loser.reason).toBeInstanceOf(ResourceConflictError);
          expect(loser.reason).toMatchObject({ expected: '1', actual: '2' });
        }
        const stored = await store.get('Component', 'default', 'cart');
        expect(stored?.metadata.resourceVersion).toBe('2');
        expect(stored).toEqual((winners[0] as PromiseFulfilledResult<Component>).value);
      });

      it(`N=${N} parallel deletes with the same expectedVersion: exactly one wins`, async () => {
        const other = await open();
        await store.create(component('default', 'shop', 'cart'), alice);
        const results = await Promise.allSettled(
          Array.from({ length: N }, (_, index) =>
            (index % 2 ? other : store).delete('Component', 'default', 'cart', { expectedVersion: '1' }),
          ),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ResourceNotFoundError);
      });

      it(`N=${N} parallel creates of one name: exactly one wins`, async () => {
        const other = await open();
        const results = await Promise.allSettled(
          Array.from({ length: N }, (_, index) => (index % 2 ? other : store).create(component('default', `p${index}`, 'cart'), alice)),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ResourceExistsError);
      });

      it(`N=${N} parallel modify() calls appending to a list, over two store instances: no change is lost`, async () => {
        const other = await open();
        await store.create(component('default', 'shop', 'cart'), alice);
        const results = await Promise.all(
          Array.from({ length: N }, (_, index) =>
            (index % 2 ? other : store).modify('Component', 'default', 'cart', alice, async (current) => {
              await sleep(Math.random() * 5); // widen the race window between read and write
              return {
                ...current,
                spec: { ...current.spec, env: [...current.spec.env, { key: `WRITER_${index}`, value: String(index) }] },
              };
            }),
          ),
        );
        const stored = await store.get('Component', 'default', 'cart');
        expect(stored?.spec.env.map((entry) => entry.key).sort()).toEqual(
          Array.from({ length: N }, (_, index) => `WRITER_${index}`).sort(),
        );
        expect(stored?.metadata.resourceVersion).toBe(String(1 + N));
        expect(new Set(results.map((result) => result.after.metadata.resourceVersion)).size).toBe(N);
      });
    });

    describe('schema and lifecycle', () => {
      it('opens an existing database again: migrations are idempotent and the data is kept', async () => {
        await store.create(component('default', 'shop', 'cart'), alice);
        const second = await open();
        const third = await open();
        expect((await second.get('Component', 'default', 'cart'))?.metadata.resourceVersion).toBe('1');
        await third.update((await third.get('Component', 'default', 'cart'))!, bob);
        expect((await store.get('Component', 'default', 'cart'))?.metadata.resourceVersion).toBe('2');
      });

      it('keeps the audit trail in the same database', async () => {
        const events = [
          auditEvent(1),
          auditEvent(2, {
            subject: 'service:ci-deployer',
            subjectType: 'service',
            clientId: 'ci-deployer',
            tool: 'update_release_binding',
          }),
          auditEvent(3, { decision: 'deny', outcome: 'denied', rule: 'deny-prod@ns/default' }),
          auditEvent(4, { tool: 'update_release_binding', decision: 'deny', outcome: 'denied' }),
          auditEvent(5, { decision: 'not_evaluated', outcome: 'insufficient_scope', rule: 'insufficient_scope:controlplane:write' }),
          auditEvent(6, { arguments: { text: 'nul \u0000 and "quotes"' } }),
        ];
        for (const event of events) await store.audit.append(event);

        const ids = (list: AuditEvent[]) => list.map((event) => event.id);
        const all = await store.audit.query({ limit: 100 });
        expect(ids(all)).toEqual(['evt-006', 'evt-005', 'evt-004', 'evt-003', 'evt-002', 'evt-001']);
        expect(all.at(-1)).toEqual(events[0]);
        expect(all[0]).toEqual(events[5]);
        expect(ids(await store.audit.query({ subject: 'service:ci-deployer', limit: 10 }))).toEqual(['evt-002']);
        expect(ids(await store.audit.query({ tool: 'update_release_binding', limit: 10 }))).toEqual(['evt-004', 'evt-002']);
        expect(ids(await store.audit.query({ decision: 'deny', limit: 10 }))).toEqual(['evt-004', 'evt-003']);
        expect(ids(await store.audit.query({ subject: 'user:alice', decision: 'deny', tool: 'get_component', limit: 10 }))).toEqual([
          'evt-003',
        ]);
        expect(ids(await store.audit.query({ since: events[1]!.time, until: events[3]!.time, limit: 10 }))).toEqual([
          'evt-004',
          'evt-003',
          'evt-002',
        ]);

        const first = await store.audit.query({ limit: 2 });
        expect(ids(first)).toEqual(['evt-006', 'evt-005']);
        const second = await store.audit.query({ limit: 2, before: first.at(-1)!.id });
        expect(ids(second)).toEqual(['evt-004', 'evt-003']);
        const filtered = await store.audit.query({ decision: 'deny', limit: 1, before: 'evt-004' });
        expect(ids(filtered)).toEqual(['evt-003']);

        // Another instance on the same database sees the same trail; closing the audit store alone
        // leaves the resource store usable (it shares the connection).
        const other = await open();
        expect(ids(await other.audit.query({ limit: 1 }))).toEqual(['evt-006']);
        await other.audit.close();
        expect(await other.count()).toBe(0);
      });

      it('refuses a duplicate audit event id rather than losing it silently', async () => {
        await store.audit.append(auditEvent(1));
        await expect(store.audit.append(auditEvent(1))).rejects.toThrow();
      });
    });
  });
}
