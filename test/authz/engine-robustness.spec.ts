/**
 * Engine internals that must not change answers: the per-subject row index and Casbin's own
 * pattern matching give the same decisions as a full Casbin scan; and every failure fails closed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../shared/authz/actions.js';
import type { Subject } from '../../shared/auth/subject.js';
import { PolicyEngine, type AccessAttributes, type ResourceRef } from '../../shared/authz/policy-engine.js';
import { COMPONENT, DEV_ENV, PROD_ENV, policyDir, removeTempDirs, service, SUBJECTS, user } from './helpers.js';

afterAll(removeTempDirs);

const RESOURCES: ResourceRef[] = [
  {},
  { namespace: 'acme' },
  { namespace: 'acme', project: 'payments' },
  COMPONENT,
  { namespace: 'acme', project: 'payments', component: 'gateway' },
];
const ATTRIBUTES: AccessAttributes[] = [
  {},
  DEV_ENV,
  PROD_ENV,
  { environment: 'production' },
  { componentType: 'deployment/web-application' },
  { environment: 'staging', isProduction: false, componentType: 'deployment/service' },
];
const EXTRA_SUBJECTS: Subject[] = [
  user('casey', 'developers', 'contractors'),
  user('tess', 'testers'),
  user('gus', 'guarded'),
  user('nick', 'night-shift'),
  user('wendy', 'web-devs'),
  service('bot'),
  user('lee', 'team-leads'),
];

describe.each([undefined, 'deny-across-groups', 'conditions', 'escalation'])('policy %s', (fixture) => {
  it('row-indexed, full-scan and casbin-pattern engines agree on every decision', async () => {
    const dir = await policyDir(fixture);
    const indexed = await PolicyEngine.load(dir);
    const bySubject = await PolicyEngine.load(dir, { rowIndex: 'subject' });
    const fullScan = await PolicyEngine.load(dir, { rowIndex: 'none' });
    const patterns = await PolicyEngine.load(dir, { actionMatching: 'casbin-pattern', rowIndex: 'none' });
    let compared = 0;
    let allowed = 0;
    for (const subject of [...Object.values(SUBJECTS), ...EXTRA_SUBJECTS]) {
      for (const action of ACTIONS) {
        for (const resource of RESOURCES) {
          for (const attributes of ATTRIBUTES) {
            const request = { subject, action, resource, attributes };
            const a = indexed.decide(request);
            expect(fullScan.decide(request), JSON.stringify(request)).toEqual(a);
            expect(bySubject.decide(request), JSON.stringify(request)).toEqual(a);
            // casbin-pattern: same answer; only run a sample (it is ~15x slower)
            if ((compared & 7) === 0) {
              const c = patterns.decide(request);
              expect([c.allowed, c.reason, c.binding?.name], JSON.stringify(request)).toEqual([a.allowed, a.reason, a.binding?.name]);
            }
            compared++;
            if (a.allowed) allowed++;
          }
        }
      }
    }
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(compared);
  });
});

/** Fault injection reaches into the engine and node-casbin (its addFunction will not replace a function). */
type Internals = {
  current: {
    enforcer: { fm: { getFunctions(): Map<string, (...args: unknown[]) => unknown> } };
    source: { bindings: Array<{ condition?: { evaluate: () => unknown } }> };
  };
};

describe('fail closed', () => {
  it('an exception inside a matcher function denies, with the error in the decision', async () => {
    const engine = await PolicyEngine.load(await policyDir());
    const request = { subject: SUBJECTS.admin, action: 'component:view', resource: COMPONENT };
    expect(engine.decide(request).allowed).toBe(true);
    (engine as unknown as Internals).current.enforcer.fm.getFunctions().set('resourceMatch', () => {
      throw new Error('boom');
    });
    const decision = engine.decide(request);
    expect(decision).toMatchObject({ allowed: false, error: 'boom' });
    expect(decision.explanation).toContain('could not be evaluated');
  });

  it('an exception while evaluating a condition denies even when an allow row matched', async () => {
    const engine = await PolicyEngine.load(await policyDir('conditions'));
    const request = { subject: user('tess', 'testers'), action: 'releasebinding:update', resource: COMPONENT, attributes: DEV_ENV };
    expect(engine.decide(request).allowed).toBe(true);
    for (const binding of (engine as unknown as Internals).current.source.bindings) {
      if (binding.condition) {
        binding.condition.evaluate = () => {
          throw new Error('condition exploded');
        };
      }
    }
    expect(engine.decide(request)).toMatchObject({ allowed: false, error: 'condition exploded' });
    // and the next decision is not poisoned by the previous error state
    expect(engine.decide({ subject: user('gus', 'guarded'), action: 'component:update', resource: COMPONENT }).allowed).toBe(true);
  });

  it('a malformed subject or attributes object denies instead of throwing', async () => {
    const engine = await PolicyEngine.load(await policyDir());
    const noId = { type: 'user', id: '', groups: ['platform-admins'] } as Subject;
    expect(engine.decide({ subject: noId, action: 'component:view', resource: COMPONENT }).allowed).toBe(false);
    const noGroups = { type: 'user', id: 'x' } as unknown as Subject;
    expect(engine.decide({ subject: noGroups, action: 'component:view', resource: COMPONENT }).allowed).toBe(false);
    const hostile = {
      get environment(): string {
        throw new Error('getter');
      },
    };
    expect(engine.decide({ subject: SUBJECTS.admin, action: 'component:view', resource: COMPONENT, attributes: hostile }).allowed).toBe(
      false,
    );
  });

  it('a group named like another entitlement kind gains nothing', async () => {
    const engine = await PolicyEngine.load(await policyDir());
    // group "authenticated" becomes group:authenticated, never the bare `authenticated` entitlement
    const sneaky = user('mallory', 'authenticated', 'service:ci-deployer', '*');
    expect(engine.capabilities(sneaky)).toEqual([]);
  });
});
