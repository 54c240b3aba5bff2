/**
 * The authorization matrix for the default policy (policies/): subject × action × resource ×
 * environment, evaluated by the real Casbin engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../shared/authz/actions.js';
import type { AccessAttributes, PolicyEngine, ResourceRef } from '../../shared/authz/policy-engine.js';
import type { Subject } from '../../shared/auth/subject.js';
import { COMPONENT, DEV_ENV, loadEngine, PROD_ENV, SUBJECTS } from './helpers.js';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await loadEngine();
});
afterAll(() => engine.close());

const NS = { namespace: 'acme' };
const PROJECT = { namespace: 'acme', project: 'shop' };
const OTHER = { namespace: 'globex', project: 'billing', component: 'ledger' };

type Row = [
  who: keyof typeof SUBJECTS,
  action: string,
  resource: ResourceRef,
  attributes: AccessAttributes,
  allowed: boolean,
  reason: 'allow' | 'explicit_deny' | 'no_match',
  binding?: string,
];

const MATRIX: Row[] = [
  // developer: release bindings outside production only; can always look
  ['developer', 'releasebinding:update', COMPONENT, DEV_ENV, true, 'allow', 'developers'],
  ['developer', 'releasebinding:create', COMPONENT, { environment: 'staging', isProduction: false }, true, 'allow', 'developers'],
  ['developer', 'releasebinding:update', COMPONENT, PROD_ENV, false, 'explicit_deny', 'developers-no-production-release-changes'],
  ['developer', 'releasebinding:create', COMPONENT, PROD_ENV, false, 'explicit_deny', 'developers-no-production-release-changes'],
  ['developer', 'releasebinding:view', COMPONENT, PROD_ENV, true, 'allow', 'developers'],
  ['developer', 'component:view', COMPONENT, PROD_ENV, true, 'allow', 'developers'],
  ['developer', 'logs:view', COMPONENT, PROD_ENV, true, 'allow', 'developers'],
  ['developer', 'component:update', COMPONENT, {}, true, 'allow', 'developers'],
  ['developer', 'component:delete', COMPONENT, {}, false, 'no_match'],
  ['developer', 'releasebinding:delete', COMPONENT, DEV_ENV, false, 'no_match'],
  ['developer', 'audit:view', NS, {}, false, 'no_match'],
  ['developer', 'rolebinding:create', NS, {}, false, 'no_match'],
  // viewer: reads, never writes
  ['viewer', 'component:view', COMPONENT, {}, true, 'allow', 'viewers'],
  ['viewer', 'metrics:view', COMPONENT, PROD_ENV, true, 'allow', 'viewers'],
  ['viewer', 'alerts:view', COMPONENT, PROD_ENV, true, 'allow', 'viewers'],
  ['viewer', 'releasebinding:update', COMPONENT, DEV_ENV, false, 'no_match'],
  ['viewer', 'component:update', COMPONENT, {}, false, 'no_match'],
  ['viewer', 'logs:view', COMPONENT, DEV_ENV, false, 'no_match'],
  // sre
  ['sre', 'releasebinding:update', COMPONENT, PROD_ENV, true, 'allow', 'sre'],
  ['sre', 'incidents:update', COMPONENT, PROD_ENV, true, 'allow', 'sre'],
  ['sre', 'alerts:update', COMPONENT, PROD_ENV, true, 'allow', 'sre'],
  ['sre', 'audit:view', NS, {}, true, 'allow', 'sre'],
  ['sre', 'component:create', PROJECT, {}, false, 'no_match'],
  // platform engineer
  ['platformEngineer', 'environment:create', NS, {}, true, 'allow', 'platform-engineers'],
  ['platformEngineer', 'component:delete', COMPONENT, {}, true, 'allow', 'platform-engineers'],
  ['platformEngineer', 'releasebinding:delete', COMPONENT, PROD_ENV, true, 'allow', 'platform-engineers'],
  ['platformEngineer', 'rolebinding:create', NS, {}, false, 'no_match'],
  ['platformEngineer', 'authz:explain', {}, {}, false, 'no_match'],
  // admin: everything
  ['admin', 'rolebinding:create', {}, {}, true, 'allow', 'platform-admins'],
  ['admin', 'authz:explain', {}, {}, true, 'allow', 'platform-admins'],
  ['admin', 'releasebinding:delete', OTHER, PROD_ENV, true, 'allow', 'platform-admins'],
  // sre-agent: reads logs and traces everywhere, mutates nothing
  ['sreAgent', 'logs:view', COMPONENT, PROD_ENV, true, 'allow', 'sre-agent'],
  ['sreAgent', 'traces:view', OTHER, DEV_ENV, true, 'allow', 'sre-agent'],
  ['sreAgent', 'logs:view', {}, {}, true, 'allow', 'sre-agent'],
  ['sreAgent', 'incidents:view', COMPONENT, {}, true, 'allow', 'sre-agent'],
  ['sreAgent', 'incidents:update', COMPONENT, {}, false, 'no_match'],
  ['sreAgent', 'releasebinding:update', COMPONENT, DEV_ENV, false, 'no_match'],
  ['sreAgent', 'component:delete', COMPONENT, {}, false, 'explicit_deny', 'services-never-delete'],
  // readonly assistant
  ['readonlyAssistant', 'traces:view', COMPONENT, PROD_ENV, true, 'allow', 'readonly-assistant'],
  ['readonlyAssistant', 'releasebinding:update', COMPONENT, DEV_ENV, false, 'no_match'],
  // ci-deployer: deploys, never deletes
  ['ciDeployer', 'componentrelease:create', COMPONENT, {}, true, 'allow', 'ci-deployer'],
  ['ciDeployer', 'releasebinding:update', COMPONENT, PROD_ENV, true, 'allow', 'ci-deployer'],
  ['ciDeployer', 'workflowrun:create', COMPONENT, {}, true, 'allow', 'ci-deployer'],
  ['ciDeployer', 'releasebinding:delete', COMPONENT, DEV_ENV, false, 'explicit_deny', 'services-never-delete'],
  ['ciDeployer', 'componentrelease:delete', COMPONENT, {}, false, 'explicit_deny', 'services-never-delete'],
  ['ciDeployer', 'component:update', COMPONENT, {}, false, 'no_match'],
  // finops agent
  ['finopsAgent', 'releasebinding:update', COMPONENT, PROD_ENV, true, 'allow', 'finops-agent'],
  ['finopsAgent', 'metrics:view', COMPONENT, PROD_ENV, true, 'allow', 'finops-agent'],
  ['finopsAgent', 'logs:view', COMPONENT, PROD_ENV, false, 'no_match'],
  // no groups at all
  ['nobody', 'component:view', COMPONENT, {}, false, 'no_match'],
];

describe('default policy matrix', () => {
  it.each(MATRIX)('%s %s %j %j → %s', (who, action, resource, attributes, allowed, reason, binding) => {
    const decision = engine.decide({ subject: SUBJECTS[who], action, resource, attributes });
    expect(decision.allowed, decision.explanation).toBe(allowed);
    expect(decision.reason).toBe(reason);
    expect(decision.binding?.name).toBe(binding);
    expect(decision.policyVersion).toBe(1);
    expect(decision.explanation).toMatch(new RegExp(`^${SUBJECTS[who].type}:`));
    expect(decision.explanation).toContain(action);
  });

  it('explains a readonly-assistant denial: no binding grants it, and which roles would', () => {
    const decision = engine.decide({
      subject: SUBJECTS.readonlyAssistant,
      action: 'releasebinding:update',
      resource: COMPONENT,
      attributes: PROD_ENV,
    });
    expect(decision).toMatchObject({ allowed: false, reason: 'no_match' });
    expect(decision.binding).toBeUndefined();
    expect(decision.wouldAllow).toEqual(['admin', 'platform-engineer', 'developer', 'sre', 'deployer', 'finops-agent']);
    expect(decision.explanation).toContain('no binding grants it to service:readonly-assistant');
    expect(decision.explanation).toContain('roles that would: admin, platform-engineer, developer, sre, deployer, finops-agent');
    // internal helper roles are never suggested
    expect(decision.wouldAllow).not.toContain('releasebinding-writer');
  });

  it('explanations name the binding and the entitlement that matched', () => {
    const allow = engine.decide({ subject: SUBJECTS.developer, action: 'releasebinding:update', resource: COMPONENT, attributes: DEV_ENV });
    expect(allow.binding).toEqual({ name: 'developers', role: 'developer', effect: 'allow', scope: '*', subject: 'group:developers' });
    expect(allow.explanation).toContain("allowed by binding 'developers'");

    const deny = engine.decide({ subject: SUBJECTS.developer, action: 'releasebinding:update', resource: COMPONENT, attributes: PROD_ENV });
    expect(deny.binding).toEqual({
      name: 'developers-no-production-release-changes',
      role: 'releasebinding-writer',
      effect: 'deny',
      scope: '*',
      subject: 'group:developers',
    });
    expect(deny.explanation).toContain("denied by binding 'developers-no-production-release-changes'");
    expect(deny.explanation).toContain('isProduction = true');

    const svc = engine.decide({ subject: SUBJECTS.ciDeployer, action: 'releasebinding:delete', resource: COMPONENT });
    expect(svc.binding?.subject).toBe('authenticated');
    expect(svc.explanation).toContain("denied by binding 'services-never-delete'");
  });

  it('an unknown action is denied with an explanation, never allowed (not even for admin)', () => {
    const decision = engine.decide({ subject: SUBJECTS.admin, action: 'component:exec', resource: COMPONENT });
    expect(decision).toMatchObject({ allowed: false, reason: 'no_match', wouldAllow: [] });
    expect(decision.explanation).toContain('not a catalogue action');
    // an action string equal to a role name must not satisfy g(act, role)
    expect(engine.decide({ subject: SUBJECTS.admin, action: 'admin', resource: {} }).allowed).toBe(false);
  });
});

/**
 * Every default subject × every catalogue action × {development, production}, against an oracle
 * written from roles.yaml + the two deny bindings (independent of Casbin).
 */
describe('full matrix against an independent oracle', () => {
  const ROLE_OF: Record<keyof typeof SUBJECTS, string | undefined> = {
    admin: 'admin',
    platformEngineer: 'platform-engineer',
    developer: 'developer',
    sre: 'sre',
    viewer: 'viewer',
    nobody: undefined,
    ciDeployer: 'deployer',
    sreAgent: 'sre-agent',
    finopsAgent: 'finops-agent',
    readonlyAssistant: 'readonly-assistant',
  };
  const expected = (who: keyof typeof SUBJECTS, subject: Subject, action: string, production: boolean): boolean => {
    const role = ROLE_OF[who];
    const held = role ? engine.roles().find((r) => r.name === role)!.actions : [];
    const grants = held.some((p) => p === '*' || p === action || (p.endsWith(':*') && action.startsWith(p.slice(0, -1))));
    const serviceDelete = subject.type === 'service' && action.endsWith(':delete');
    const devProdRelease =
      who === 'developer' && production && ['releasebinding:create', 'releasebinding:update', 'releasebinding:delete'].includes(action);
    return grants && !serviceDelete && !devProdRelease;
  };

  it('matches for every subject, action and environment', () => {
    let checked = 0;
    for (const who of Object.keys(SUBJECTS) as Array<keyof typeof SUBJECTS>) {
      const subject = SUBJECTS[who];
      for (const action of ACTIONS) {
        for (const production of [false, true]) {
          const decision = engine.decide({
            subject,
            action,
            resource: COMPONENT,
            attributes: production ? PROD_ENV : DEV_ENV,
          });
          expect(decision.allowed, `${who} ${action} production=${production}: ${decision.explanation}`).toBe(
            expected(who, subject, action, production),
          );
          checked++;
        }
      }
    }
    expect(checked).toBe(Object.keys(SUBJECTS).length * ACTIONS.length * 2);
  });
});
