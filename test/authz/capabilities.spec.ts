/** capabilities() (tools/list filtering) and rolesOf() (whoami). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine } from '../../shared/authz/policy-engine.js';
import { loadEngine, policyDir, removeTempDirs, service, SUBJECTS, user } from './helpers.js';

afterAll(removeTempDirs);

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await loadEngine();
});
afterAll(() => engine.close());

const actionsOf = (subject: Parameters<PolicyEngine['capabilities']>[0]) => engine.capabilities(subject).map((c) => c.action);

describe('capabilities', () => {
  it('viewer has no releasebinding:update; developer has it (the production deny is conditional)', () => {
    expect(actionsOf(SUBJECTS.viewer)).not.toContain('releasebinding:update');
    expect(engine.capabilities(SUBJECTS.developer).find((c) => c.action === 'releasebinding:update')).toEqual({
      action: 'releasebinding:update',
      scopes: ['*'],
    });
  });

  it('sre-agent has only views', () => {
    const actions = actionsOf(SUBJECTS.sreAgent);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.endsWith(':view'))).toBe(true);
    expect(actions).toEqual(expect.arrayContaining(['logs:view', 'traces:view', 'metrics:view', 'alerts:view', 'incidents:view']));
  });

  it('admin has every action; nobody has none', () => {
    expect(actionsOf(SUBJECTS.admin)).toContain('authz:explain');
    expect(actionsOf(SUBJECTS.nobody)).toEqual([]);
    expect(actionsOf(service('unknown-client'))).toEqual([]);
  });
});

describe('capabilities with scoped and conditional bindings', () => {
  it('a deny at or above an allow scope removes that scope; a certain deny at * removes the action; a conditional allow counts', async () => {
    const dir = await policyDir(undefined, {
      'bindings.yaml': `bindings:
  - name: svc-admin-shop
    role: admin
    subjects: [service:robot]
    scope: { namespace: acme, project: shop }
  - name: svc-admin-ops
    role: admin
    subjects: [service:robot]
    scope: { namespace: ops }
  - name: robots-no-shop-workflows
    role: viewer
    subjects: [service:robot]
    scope: { namespace: acme }
    effect: deny
  - name: services-never-delete
    role: deleter
    subjects: [authenticated]
    effect: deny
    when: { subjectType: service }
  - name: staging-only
    role: sre
    subjects: [group:temps]
    when: { environment: [staging] }
  - name: services-only
    role: viewer
    subjects: [authenticated]
    when: { subjectType: service }
`,
    });
    const scoped = await PolicyEngine.load(dir);
    const caps = new Map(scoped.capabilities(service('robot')).map((c) => [c.action, c.scopes]));
    expect(caps.get('rolebinding:create')).toEqual(['ns/acme/project/shop', 'ns/ops']);
    // viewer actions denied under ns/acme: only ns/ops remains, plus the conditional services-only allow at *
    expect(caps.get('component:view')).toEqual(['*', 'ns/ops']);
    expect(caps.has('component:delete')).toBe(false);
    // a user: subjectType service can never hold, so services-only does not count
    const temp = new Map(scoped.capabilities(user('tim', 'temps')).map((c) => [c.action, c.scopes]));
    expect(temp.get('incidents:update')).toEqual(['*']);
    expect(temp.has('rolebinding:create')).toBe(false);
    scoped.close();
  });
});

describe('rolesOf', () => {
  it('lists the bindings that apply to the subject, with the matched entitlement', () => {
    expect(engine.rolesOf(SUBJECTS.developer)).toEqual([
      { role: 'developer', binding: 'developers', scope: '*', effect: 'allow', subject: 'group:developers' },
      {
        role: 'releasebinding-writer',
        binding: 'developers-no-production-release-changes',
        scope: '*',
        effect: 'deny',
        subject: 'group:developers',
        when: 'isProduction = true',
      },
    ]);
  });

  it('includes the authenticated deny for services', () => {
    expect(engine.rolesOf(SUBJECTS.ciDeployer).map((r) => [r.binding, r.effect, r.subject])).toEqual([
      ['ci-deployer', 'allow', 'service:ci-deployer'],
      ['services-never-delete', 'deny', 'authenticated'],
    ]);
  });

  it('covers users in several groups', () => {
    const both = user('bo', 'sre', 'viewers');
    expect(engine.rolesOf(both).map((r) => r.role)).toEqual(['sre', 'viewer']);
  });
});
