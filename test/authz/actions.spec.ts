/** The action catalogue and wildcard patterns, both as functions and through Casbin's `g`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, expandActionPattern, isKnownAction } from '../../shared/authz/actions.js';
import type { PolicyEngine } from '../../shared/authz/policy-engine.js';
import { loadEngine, removeTempDirs, SUBJECTS, user } from './helpers.js';

afterAll(removeTempDirs);

describe('catalogue', () => {
  it('knows the catalogue actions and nothing else', () => {
    expect(isKnownAction('component:view')).toBe(true);
    expect(isKnownAction('authz:explain')).toBe(true);
    expect(isKnownAction('rolebinding:create')).toBe(true);
    expect(isKnownAction('namespace:create')).toBe(false);
    expect(isKnownAction('component:*')).toBe(false);
    expect(isKnownAction('*')).toBe(false);
    expect(new Set(ACTIONS).size).toBe(ACTIONS.length);
  });

  it('expands patterns against the catalogue', () => {
    expect(expandActionPattern('*')).toEqual(ACTIONS);
    expect(expandActionPattern('component:*')).toEqual(['component:view', 'component:create', 'component:update', 'component:delete']);
    expect(expandActionPattern('componentrelease:*')).toEqual([
      'componentrelease:view',
      'componentrelease:create',
      'componentrelease:delete',
    ]);
    expect(expandActionPattern('logs:view')).toEqual(['logs:view']);
    expect(expandActionPattern('componet:*')).toEqual([]);
    expect(expandActionPattern('component:exec')).toEqual([]);
  });
});

describe('wildcards evaluated by Casbin', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await loadEngine('escalation');
  });
  afterAll(() => engine.close());

  const componentAdmin = user('cora', 'component-admins');
  const resource = { namespace: 'acme', project: 'shop', component: 'api' };

  it('`component:*` covers every component verb', () => {
    for (const action of expandActionPattern('component:*')) {
      expect(engine.decide({ subject: componentAdmin, action, resource }).allowed).toBe(true);
    }
  });

  it('`component:*` does not cover componentrelease:* or componenttype:*', () => {
    for (const action of ['componentrelease:view', 'componentrelease:create', 'componenttype:view']) {
      expect(engine.decide({ subject: componentAdmin, action, resource }).reason).toBe('no_match');
    }
  });

  it('`*` covers every catalogue action', () => {
    const root = user('root', 'root');
    for (const action of ACTIONS) expect(engine.decide({ subject: root, action, resource }).allowed).toBe(true);
  });
});

describe('default roles', () => {
  it('the internal `deleter` role covers every delete action in the catalogue', async () => {
    const engine = await loadEngine();
    const deleter = engine.roles().find((r) => r.name === 'deleter')!;
    expect(deleter.internal).toBe(true);
    expect([...deleter.actions].sort()).toEqual(ACTIONS.filter((a) => a.endsWith(':delete')).sort());
  });

  it('no service account can delete anything, anywhere', async () => {
    const engine = await loadEngine();
    for (const subject of [SUBJECTS.ciDeployer, SUBJECTS.sreAgent, SUBJECTS.finopsAgent, SUBJECTS.readonlyAssistant]) {
      for (const action of ACTIONS.filter((a) => a.endsWith(':delete'))) {
        expect(engine.decide({ subject, action, resource: { namespace: 'acme' } }).allowed).toBe(false);
      }
    }
  });
});
