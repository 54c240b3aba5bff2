/**
 * Engine internals that must not change answers: the per-subject row index and Casbin's own
 * pattern matching give the same decisions as a full Casbin scan; and every failure fails closed.
 */
import { isDeepStrictEqual } from 'node:util';
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

describe.each([undefined, 'deny-across-groups', 'conditions', 'escalation', 'evaluation-error'])('policy %s', (fixture) => {
  it('every row index, with and without the decision cache, agrees with a full Casbin scan on every decision', async () => {
    const dir = await policyDir(fixture);
    const shipped = await PolicyEngine.load(dir); // subject+action+scope index, decision cache
    const uncached = await PolicyEngine.load(dir, { decisionCacheSize: 0 });
    const others = await Promise.all([
      PolicyEngine.load(dir, { rowIndex: 'subject+action', decisionCacheSize: 0 }),
      PolicyEngine.load(dir, { rowIndex: 'subject', decisionCacheSize: 0 }),
    ]);
    const fullScan = await PolicyEngine.load(dir, { rowIndex: 'none', decisionCacheSize: 0 });
    const patterns = await PolicyEngine.load(dir, { actionMatching: 'casbin-pattern', rowIndex: 'none', decisionCacheSize: 0 });
    // Compared with isDeepStrictEqual and reported at the end: ~40,000 requests × 6 engines.
    const mismatches: string[] = [];
    const check = (label: string, got: unknown, expected: unknown, request: object) => {
      if (!isDeepStrictEqual(got, expected) && mismatches.length < 5)
        mismatches.push(`${label}: ${JSON.stringify({ request, got, expected })}`);
    };
    let compared = 0;
    let allowed = 0;
    for (const subject of [...Object.values(SUBJECTS), ...EXTRA_SUBJECTS]) {
      for (const action of ACTIONS) {
        for (const resource of RESOURCES) {
          for (const attributes of ATTRIBUTES) {
            const request = { subject, action, resource, attributes };
            const expected = fullScan.decide(request);
            check('shipped', shipped.decide(request), expected, request);
            check('shipped, from the cache', shipped.decide(request), expected, request);
            check('uncached', uncached.decide(request), expected, request);
            others.forEach((other, i) => check(`other #${i}`, other.decide(request), expected, request));
            // casbin-pattern: same answer; only run a sample (it is several times slower)
            if ((compared & 7) === 0) {
              const c = patterns.decide(request);
              check(
                'casbin-pattern',
                [c.allowed, c.reason, c.binding?.name],
                [expected.allowed, expected.reason, expected.binding?.name],
                request,
              );
            }
            compared++;
            if (expected.allowed) allowed++;
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(compared);
  });
});

/**
 * Fault injection reaches into the engine and node-casbin (its addFunction will not replace a function).
 * It changes a live policy version, which the decision cache rightly treats as immutable, so these
 * engines run without it.
 */
const UNCACHED = { decisionCacheSize: 0 };
type Internals = {
  current: {
    enforcer: { fm: { getFunctions(): Map<string, (...args: unknown[]) => unknown> } };
    source: { bindings: Array<{ condition?: { evaluate: () => unknown } }> };
  };
};

it('decisions are frozen, so a caller cannot change the one the cache hands the next caller', async () => {
  const engine = await PolicyEngine.load(await policyDir());
  const request = { subject: SUBJECTS.developer, action: 'releasebinding:update', resource: COMPONENT, attributes: PROD_ENV };
  const first = engine.decide(request);
  expect(Object.isFrozen(first) && Object.isFrozen(first.binding)).toBe(true);
  expect(() => Object.assign(first, { allowed: true })).toThrow(TypeError);
  expect(engine.decide(request)).toMatchObject({ allowed: false, reason: 'explicit_deny' });
});

describe('fail closed', () => {
  it('a policy that cannot be evaluated for a request denies it with reason evaluation_error', async () => {
    const logs: Array<[string, object | undefined]> = [];
    const engine = await PolicyEngine.load(await policyDir('evaluation-error'), { log: (msg, fields) => logs.push([msg, fields]) });
    const typed = { componentType: 'deployment/service' };
    // With a component type the faulty matcher term evaluates, and decisions are the usual ones.
    expect(engine.decide({ subject: SUBJECTS.admin, action: 'component:view', resource: COMPONENT, attributes: typed })).toMatchObject({
      allowed: true,
      reason: 'allow',
    });
    expect(engine.decide({ subject: SUBJECTS.viewer, action: 'component:delete', resource: COMPONENT, attributes: typed }).reason).toBe(
      'no_match',
    );

    // Without one, the term throws for every row that reaches it: a denial with its own reason, not a deny binding's.
    const decision = engine.decide({ subject: SUBJECTS.admin, action: 'component:view', resource: COMPONENT, attributes: DEV_ENV });
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'evaluation_error',
      error: "Cannot read properties of undefined (reading 'startsWith')",
      policyVersion: 1,
    });
    expect(decision.binding).toBeUndefined();
    expect(decision.explanation).toBe(
      'user:ada may not component:view on ns/acme/project/shop/component/api: the policy could not be evaluated ' +
        "(Cannot read properties of undefined (reading 'startsWith')), so access is denied.",
    );
    expect(logs).toContainEqual([
      'authz evaluation failed; denying',
      { action: 'component:view', path: 'ns/acme/project/shop/component/api', error: decision.error, version: 1 },
    ]);
    // Where a deny binding would have matched, the failure still decides (fail closed either way).
    expect(
      engine.decide({ subject: SUBJECTS.developer, action: 'releasebinding:update', resource: COMPONENT, attributes: PROD_ENV }).reason,
    ).toBe('evaluation_error');
    // The escalation check reports the failure, not a grant.
    expect(engine.checkGrant(SUBJECTS.admin, 'viewer', { namespace: 'acme' })).toMatchObject({
      allowed: false,
      reason: 'evaluation_error',
    });
    // A caller no row names never reaches the faulty term.
    expect(engine.decide({ subject: SUBJECTS.nobody, action: 'component:view', resource: COMPONENT }).reason).toBe('no_match');
  });

  it('an exception inside a matcher function denies, with the error in the decision', async () => {
    const engine = await PolicyEngine.load(await policyDir(), UNCACHED);
    const request = { subject: SUBJECTS.admin, action: 'component:view', resource: COMPONENT };
    expect(engine.decide(request).allowed).toBe(true);
    (engine as unknown as Internals).current.enforcer.fm.getFunctions().set('resourceMatch', () => {
      throw new Error('boom');
    });
    const decision = engine.decide(request);
    expect(decision).toMatchObject({ allowed: false, reason: 'evaluation_error', error: 'boom' });
    expect(decision.explanation).toContain('could not be evaluated');
  });

  it('an exception while evaluating a condition denies even when an allow row matched', async () => {
    const engine = await PolicyEngine.load(await policyDir('conditions'), UNCACHED);
    const request = { subject: user('tess', 'testers'), action: 'releasebinding:update', resource: COMPONENT, attributes: DEV_ENV };
    expect(engine.decide(request).allowed).toBe(true);
    for (const binding of (engine as unknown as Internals).current.source.bindings) {
      if (binding.condition) {
        binding.condition.evaluate = () => {
          throw new Error('condition exploded');
        };
      }
    }
    expect(engine.decide(request)).toMatchObject({ allowed: false, reason: 'evaluation_error', error: 'condition exploded' });
    // and the next decision is not poisoned by the previous error state
    expect(engine.decide({ subject: user('gus', 'guarded'), action: 'component:update', resource: COMPONENT }).allowed).toBe(true);
  });

  it('a malformed subject or attributes object denies instead of throwing', async () => {
    const engine = await PolicyEngine.load(await policyDir());
    const noId = { type: 'user', id: '', groups: ['platform-admins'] } as Subject;
    expect(engine.decide({ subject: noId, action: 'component:view', resource: COMPONENT })).toMatchObject({
      allowed: false,
      reason: 'evaluation_error',
      error: 'invalid request: subject has no id',
    });
    const noGroups = { type: 'user', id: 'x' } as unknown as Subject;
    expect(engine.decide({ subject: noGroups, action: 'component:view', resource: COMPONENT })).toMatchObject({
      allowed: false,
      reason: 'evaluation_error',
    });
    const hostile = {
      get environment(): string {
        throw new Error('getter');
      },
    };
    expect(engine.decide({ subject: SUBJECTS.admin, action: 'component:view', resource: COMPONENT, attributes: hostile })).toMatchObject({
      allowed: false,
      reason: 'evaluation_error',
    });
  });

  it('a group named like another entitlement kind gains nothing', async () => {
    const engine = await PolicyEngine.load(await policyDir());
    // group "authenticated" becomes group:authenticated, never the bare `authenticated` entitlement
    const sneaky = user('mallory', 'authenticated', 'service:ci-deployer', '*');
    expect(engine.capabilities(sneaky)).toEqual([]);
  });
});
