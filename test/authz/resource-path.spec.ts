/** Resource paths: DNS-1123 names, hierarchy, segment-boundary matching, and no widening. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidResourceNameError, PolicyEngine } from '../../shared/authz/policy-engine.js';
import { resourceMatch, resourcePath, type ResourceRef } from '../../shared/authz/resource-path.js';
import { policyDir, removeTempDirs, SUBJECTS, user } from './helpers.js';

afterAll(removeTempDirs);

describe('resourcePath', () => {
  it.each<[ResourceRef, string]>([
    [{}, '*'],
    [{ namespace: 'acme' }, 'ns/acme'],
    [{ namespace: 'acme', project: 'shop' }, 'ns/acme/project/shop'],
    [{ namespace: 'acme', project: 'shop', component: 'api-2' }, 'ns/acme/project/shop/component/api-2'],
    [{ namespace: 'a'.repeat(63) }, `ns/${'a'.repeat(63)}`],
  ])('%j → %s', (ref, path) => {
    expect(resourcePath(ref)).toBe(path);
  });

  it.each<[ResourceRef, string, string]>([
    [{ namespace: '*' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'acme', project: '*' }, 'project', 'dns-1123-label'],
    [{ namespace: 'acme', project: 'shop', component: '*' }, 'component', 'dns-1123-label'],
    [{ namespace: 'acme/project/shop' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'acme', project: 'a/b' }, 'project', 'dns-1123-label'],
    [{ namespace: '..' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'acme', project: '..', component: 'api' }, 'project', 'dns-1123-label'],
    [{ namespace: '' }, 'namespace', 'empty'],
    [{ namespace: 'acme', project: '' }, 'project', 'empty'],
    [{ namespace: 'acme', project: 'shop', component: '' }, 'component', 'empty'],
    [{ namespace: 'Acme' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'acme', project: 'Shop' }, 'project', 'dns-1123-label'],
    [{ namespace: ' acme' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'ac me' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'acme\n' }, 'namespace', 'dns-1123-label'],
    [{ namespace: '-acme' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'acme-' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'ac.me' }, 'namespace', 'dns-1123-label'],
    [{ namespace: 'a'.repeat(64) }, 'namespace', 'too-long'],
    [{ namespace: null as unknown as string }, 'namespace', 'not-a-string'],
    [{ project: 'shop' }, 'namespace', 'parent-required'],
    [{ namespace: 'acme', component: 'api' }, 'project', 'parent-required'],
  ])('refuses %j (%s: %s)', (ref, field, rule) => {
    let error: unknown;
    try {
      resourcePath(ref);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidResourceNameError);
    expect(error).toMatchObject({ name: 'InvalidResourceNameError', field, rule });
    expect((error as Error).message).toContain(field);
  });
});

describe('resourceMatch (prefix at a segment boundary)', () => {
  it.each<[string, string, boolean]>([
    ['ns/a/project/x', '*', true],
    ['*', '*', true],
    ['ns/a', 'ns/a', true],
    ['ns/a/project/x', 'ns/a', true],
    ['ns/a/project/x/component/c', 'ns/a/project/x', true],
    ['ns/ab', 'ns/a', false],
    ['ns/ab/project/x', 'ns/a', false],
    ['ns/a/project/xy', 'ns/a/project/x', false],
    ['ns/a', 'ns/a/project/x', false], // grants flow downwards only
    ['*', 'ns/a', false],
  ])('request %s, grant %s → %s', (request, grant, matches) => {
    expect(resourceMatch(request, grant)).toBe(matches);
  });
});

describe('the engine never widens a bad name', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    // shop-devs hold developer on ns/acme/project/shop only
    const dir = await policyDir(undefined, {
      'bindings.yaml': [
        'bindings:',
        '  - name: shop-devs',
        '    role: developer',
        '    subjects: [group:shop-devs]',
        '    scope: { namespace: acme, project: shop }',
        '  - name: admins',
        '    role: admin',
        '    subjects: [group:platform-admins]',
      ].join('\n'),
    });
    engine = await PolicyEngine.load(dir);
  });
  afterAll(() => engine.close());

  const shopDev = user('sid', 'shop-devs');

  it('grants below the scope, not beside or above it', () => {
    const at = (resource: ResourceRef) => engine.decide({ subject: shopDev, action: 'component:view', resource }).allowed;
    expect(at({ namespace: 'acme', project: 'shop', component: 'api' })).toBe(true);
    expect(at({ namespace: 'acme', project: 'shop' })).toBe(true);
    expect(at({ namespace: 'acme', project: 'shopping' })).toBe(false);
    expect(at({ namespace: 'acme' })).toBe(false);
    expect(at({})).toBe(false);
  });

  it.each<ResourceRef>([
    { namespace: 'acme', project: 'shop', component: '*' },
    { namespace: 'acme', project: 'shop', component: '' },
    { namespace: 'acme', project: 'shop', component: '../../payments' },
    { namespace: 'acme', project: 'shop/../payments' },
    { namespace: 'acme', project: 'SHOP' },
    { namespace: '*' },
    { namespace: '' },
    { project: 'shop' },
  ])('decide(%j) throws InvalidResourceNameError, even for an admin', (resource) => {
    expect(() => engine.decide({ subject: shopDev, action: 'component:view', resource })).toThrow(InvalidResourceNameError);
    expect(() => engine.decide({ subject: SUBJECTS.admin, action: 'component:view', resource })).toThrow(InvalidResourceNameError);
  });

  it('checkGrant refuses bad scope names the same way', () => {
    expect(() => engine.checkGrant(SUBJECTS.admin, 'viewer', { namespace: '*' })).toThrow(InvalidResourceNameError);
  });
});
