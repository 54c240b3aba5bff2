/** Deny-override across groups in one decision, and ABAC conditions (fixture policies). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { PolicyEngine } from '../../shared/authz/policy-engine.js';
import { FIXTURES_DIR, loadEngine, policyDir, removeTempDirs, service, user } from './helpers.js';

afterAll(removeTempDirs);

const PAYMENTS = { namespace: 'acme', project: 'payments', component: 'gateway' };
const SHOP = { namespace: 'acme', project: 'shop', component: 'api' };

describe('deny-override spans all of a subject’s groups in one decision', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await loadEngine('deny-across-groups');
  });
  afterAll(() => engine.close());

  const both = user('casey', 'developers', 'contractors');

  it('the contractors deny wins over the developers allow', () => {
    const decision = engine.decide({ subject: both, action: 'component:update', resource: PAYMENTS });
    expect(decision).toMatchObject({ allowed: false, reason: 'explicit_deny' });
    expect(decision.binding).toMatchObject({ name: 'contractors-not-payments', subject: 'group:contractors', effect: 'deny' });
    expect(decision.explanation).toContain("denied by binding 'contractors-not-payments'");
  });

  it('whatever the order of the groups on the token', () => {
    const reversed = user('casey', 'contractors', 'developers');
    expect(engine.decide({ subject: reversed, action: 'component:view', resource: PAYMENTS }).reason).toBe('explicit_deny');
  });

  it('whatever the order of the bindings in the file', async () => {
    const text = await readFile(join(FIXTURES_DIR, 'deny-across-groups', 'bindings.yaml'), 'utf8');
    const doc = parse(text) as { bindings: unknown[] };
    const reversedEngine = await PolicyEngine.load(
      await policyDir(undefined, { 'bindings.yaml': stringify({ bindings: [...doc.bindings].reverse() }) }),
    );
    const decision = reversedEngine.decide({ subject: both, action: 'component:update', resource: PAYMENTS });
    expect(decision.reason).toBe('explicit_deny');
    expect(decision.binding?.name).toBe('contractors-not-payments');
  });

  it('outside the denied scope the developers allow still applies', () => {
    const decision = engine.decide({ subject: both, action: 'component:update', resource: SHOP });
    expect(decision).toMatchObject({ allowed: true, reason: 'allow' });
    expect(decision.binding?.name).toBe('developers');
  });

  it('a developer who is not a contractor is unaffected', () => {
    expect(engine.decide({ subject: user('dana', 'developers'), action: 'component:update', resource: PAYMENTS }).allowed).toBe(true);
  });
});

describe('ABAC conditions', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await loadEngine('conditions');
  });
  afterAll(() => engine.close());

  const decide = (subject: ReturnType<typeof user>, action: string, attributes: object, resource = SHOP) =>
    engine.decide({ subject, action, resource, attributes });

  describe('environment list (OR within the list)', () => {
    const tester = user('tess', 'testers');
    it.each([
      ['development', true],
      ['staging', true],
      ['production', false],
    ])('environment %s → %s', (environment, allowed) => {
      expect(decide(tester, 'releasebinding:update', { environment }).allowed).toBe(allowed);
    });
    it('a conditional allow explains why it did not apply', () => {
      const decision = decide(tester, 'releasebinding:update', { environment: 'production' });
      expect(decision.reason).toBe('no_match');
      expect(decision.explanation).toContain("binding 'testers-nonprod' would, but only when environment in [development, staging]");
    });
  });

  it('componentType', () => {
    const webDev = user('wendy', 'web-devs');
    expect(decide(webDev, 'component:update', { componentType: 'deployment/web-application' }).allowed).toBe(true);
    expect(decide(webDev, 'component:update', { componentType: 'deployment/service' }).allowed).toBe(false);
  });

  it('isProduction', () => {
    const reader = user('rita', 'prod-readers');
    expect(decide(reader, 'logs:view', { isProduction: true }).allowed).toBe(true);
    expect(decide(reader, 'logs:view', { isProduction: false }).allowed).toBe(false);
  });

  it('AND across keys', () => {
    const night = user('nick', 'night-shift');
    expect(decide(night, 'incidents:update', { environment: 'production', isProduction: true }).allowed).toBe(true);
    expect(decide(night, 'incidents:update', { environment: 'staging', isProduction: false }).allowed).toBe(false);
    expect(decide(night, 'incidents:update', { environment: 'development', isProduction: true }).allowed).toBe(false);
  });

  it('subjectType comes from the subject, not the request', () => {
    expect(decide(user('uma'), 'component:view', {}).allowed).toBe(true);
    const stranger = decide(service('stranger'), 'component:view', {});
    expect(stranger).toMatchObject({ allowed: false, reason: 'no_match' });
  });

  it('a conditional deny applies only when its condition holds', () => {
    const guarded = user('gus', 'guarded');
    expect(decide(guarded, 'releasebinding:update', { environment: 'development' }).allowed).toBe(true);
    const prod = decide(guarded, 'releasebinding:update', { environment: 'production' });
    expect(prod).toMatchObject({ allowed: false, reason: 'explicit_deny' });
    expect(prod.binding?.name).toBe('guarded-no-production');
    // the deny role does not hold releasebinding:view
    expect(decide(guarded, 'releasebinding:view', { environment: 'production' }).allowed).toBe(true);
  });

  describe('unknown attribute: a deny applies, a conditional allow does not', () => {
    it('deny on environment, request without environment → denied, and the explanation says why', () => {
      const decision = decide(user('gus', 'guarded'), 'releasebinding:update', {});
      expect(decision).toMatchObject({ allowed: false, reason: 'explicit_deny' });
      expect(decision.binding?.name).toBe('guarded-no-production');
      expect(decision.explanation).toContain('did not say environment');
    });

    it('an empty or mistyped attribute counts as unknown, not as a value that escapes the deny', () => {
      const guarded = user('gus', 'guarded');
      expect(decide(guarded, 'releasebinding:update', { environment: '' }).reason).toBe('explicit_deny');
      const night = user('nick', 'night-shift');
      expect(decide(night, 'incidents:update', { environment: 'production', isProduction: 'true' }).allowed).toBe(false);
    });

    it('conditional allow on environment, request without environment → no match', () => {
      const decision = decide(user('tess', 'testers'), 'releasebinding:update', {});
      expect(decision).toMatchObject({ allowed: false, reason: 'no_match' });
      expect(decision.explanation).toContain('did not say environment');
    });

    it('AND with one key unknown: allow does not match, deny does', () => {
      const night = user('nick', 'night-shift');
      expect(decide(night, 'incidents:update', { environment: 'production' }).allowed).toBe(false);
      const bot = service('bot');
      const missing = decide(bot, 'releasebinding:update', {});
      expect(missing).toMatchObject({ allowed: false, reason: 'explicit_deny' });
      expect(missing.binding?.name).toBe('services-no-web-app-release-changes');
      expect(decide(bot, 'releasebinding:update', { componentType: 'deployment/service' }).allowed).toBe(true);
      expect(decide(bot, 'releasebinding:update', { componentType: 'deployment/web-application' }).allowed).toBe(false);
    });

    it('a key that is definitely false decides the AND even when another is unknown', () => {
      // environment=development rules the night shift out; isProduction is irrelevant
      expect(decide(user('nick', 'night-shift'), 'incidents:update', { environment: 'development' }).allowed).toBe(false);
      // for a user, subjectType=user is false for the services deny, so a missing componentType does not matter
      const tester = user('tess', 'testers');
      expect(decide(tester, 'releasebinding:update', { environment: 'staging' }).allowed).toBe(true);
    });
  });
});
