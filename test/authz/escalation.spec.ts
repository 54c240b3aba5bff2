/** checkGrant: nobody can grant a role carrying permissions they do not hold themselves. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyEngine } from '../../shared/authz/policy-engine.js';
import { loadEngine, removeTempDirs, SUBJECTS, user } from './helpers.js';

afterAll(removeTempDirs);

describe('default policy', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await loadEngine();
  });
  afterAll(() => engine.close());

  it('a platform engineer cannot grant admin, anywhere', () => {
    for (const scope of [{}, { namespace: 'acme' }, { namespace: 'acme', project: 'shop' }]) {
      const decision = engine.checkGrant(SUBJECTS.platformEngineer, 'admin', scope);
      expect(decision.allowed).toBe(false);
      expect(decision.explanation).toContain("user:pat cannot grant role 'admin'");
      expect(decision.explanation).toContain('rolebinding:create');
    }
  });

  it('a platform engineer cannot even grant viewer (no rolebinding:create)', () => {
    expect(engine.checkGrant(SUBJECTS.platformEngineer, 'viewer', { namespace: 'acme' }).allowed).toBe(false);
  });

  it('an admin can grant admin everywhere', () => {
    const decision = engine.checkGrant(SUBJECTS.admin, 'admin', {});
    expect(decision).toMatchObject({ allowed: true, reason: 'allow' });
    expect(decision.binding?.name).toBe('platform-admins');
    expect(decision.explanation).toContain("may grant role 'admin' everywhere");
  });

  it('an unknown role is refused', () => {
    const decision = engine.checkGrant(SUBJECTS.admin, 'superuser', {});
    expect(decision).toMatchObject({ allowed: false, reason: 'no_match' });
    expect(decision.explanation).toContain('no such role');
  });
});

describe('granters with partial permissions (fixture)', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await loadEngine('escalation');
  });
  afterAll(() => engine.close());

  const lead = user('lee', 'team-leads'); // granter role on ns/acme: rolebinding:create, project:view, component:*

  it('can grant a role whose actions it holds, at or below its scope', () => {
    expect(engine.checkGrant(lead, 'small', { namespace: 'acme' }).allowed).toBe(true);
    expect(engine.checkGrant(lead, 'small', { namespace: 'acme', project: 'shop' }).allowed).toBe(true);
    expect(engine.checkGrant(lead, 'component-admin', { namespace: 'acme', project: 'shop' }).allowed).toBe(true);
    expect(engine.checkGrant(lead, 'granter', { namespace: 'acme' }).allowed).toBe(true);
  });

  it('cannot grant outside its scope', () => {
    const decision = engine.checkGrant(lead, 'small', { namespace: 'globex' });
    expect(decision).toMatchObject({ allowed: false, reason: 'no_match' });
    expect(decision.explanation).toContain('rolebinding:create');
    expect(engine.checkGrant(lead, 'small', {}).allowed).toBe(false);
  });

  it('cannot grant a role holding more than it has; the denial names the first missing action', () => {
    const decision = engine.checkGrant(lead, 'admin', { namespace: 'acme' });
    expect(decision).toMatchObject({ allowed: false, reason: 'no_match' });
    // `*` expands in catalogue order; namespace:view is the first action the lead lacks
    expect(decision.explanation).toContain('the role holds namespace:view, which user:lee does not hold there');
    expect(decision.wouldAllow).toContain('admin');
  });

  it('a deny on the granter blocks granting the denied action', () => {
    const decision = engine.checkGrant(lead, 'component-admin', { namespace: 'acme', project: 'payments' });
    expect(decision).toMatchObject({ allowed: false, reason: 'explicit_deny' });
    expect(decision.explanation).toContain('the role holds component:delete');
    expect(decision.binding?.name).toBe('team-leads-no-delete-in-payments');
    // roles without the denied action are still fine there
    expect(engine.checkGrant(lead, 'small', { namespace: 'acme', project: 'payments' }).allowed).toBe(true);
  });
});
