/**
 * The row index only leaves out rows the model's matcher could never match, and only the functions
 * it never calls are dropped: an edited model.conf gets a weaker index, never a wrong answer.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../shared/authz/actions.js';
import { analyseMatcher, safeRowIndex, uncalledFunctions } from '../../shared/authz/matcher-shape.js';
import { PolicyEngine, type ResourceRef } from '../../shared/authz/policy-engine.js';
import { COMPONENT, DEFAULT_POLICY_DIR, DEV_ENV, policyDir, PROD_ENV, removeTempDirs, SUBJECTS, user } from './helpers.js';

afterAll(removeTempDirs);

const SHIPPED = 'subjectIn(p_sub, r_subs) && resourceMatch(r_res, p_res) && g(r_act, p_role) && conditionMatch(p_cond, p_eft, r_attrs)';

describe('analyseMatcher / safeRowIndex', () => {
  it('the shipped matcher requires subject, action and scope', () => {
    expect(safeRowIndex(analyseMatcher(SHIPPED), 'subject+action+scope')).toBe('subject+action+scope');
    expect(safeRowIndex(analyseMatcher(SHIPPED), 'subject')).toBe('subject'); // never more than asked for
  });

  it.each([
    ['without resourceMatch', 'subjectIn(p_sub, r_subs) && g(r_act, p_role)', 'subject+action'],
    ['without g', 'subjectIn(p_sub, r_subs) && resourceMatch(r_res, p_res)', 'subject'],
    ['without subjectIn', 'resourceMatch(r_res, p_res) && g(r_act, p_role)', 'none'],
    ['an || at the top level', `${SHIPPED} || r_act == "namespace:view"`, 'none'],
    ['a ternary at the top level', `r_act == "x" ? true : ${SHIPPED}`, 'none'],
    [
      'resourceMatch only inside an ||',
      'subjectIn(p_sub, r_subs) && (resourceMatch(r_res, p_res) || r_act == "a") && g(r_act, p_role)',
      'subject+action',
    ],
    ['a negated term', 'subjectIn(p_sub, r_subs) && !resourceMatch(r_res, p_res) && g(r_act, p_role)', 'subject+action'],
  ])('%s', (_name, matcher, expected) => {
    expect(safeRowIndex(analyseMatcher(matcher), 'subject+action+scope')).toBe(expected);
  });

  it('splits on && only outside brackets and quotes, ignoring whitespace', () => {
    const shape = analyseMatcher(`subjectIn( p_sub,r_subs )&&g(r_act, p_role) && r_act != "a && b" && resourceMatch(r_res, p_res)`);
    expect([...shape.conjuncts]).toEqual(['subjectIn(p_sub,r_subs)', 'g(r_act,p_role)', 'r_act!="a&&b"', 'resourceMatch(r_res,p_res)']);
    expect(safeRowIndex(shape, 'subject+action+scope')).toBe('subject+action+scope');
  });

  it('keeps every function the matcher calls, and all of them when it uses eval', () => {
    const registered = ['keyMatch', 'regexMatch', 'subjectIn', 'resourceMatch', 'conditionMatch'];
    expect(uncalledFunctions(analyseMatcher(`${SHIPPED} && keyMatch(r_res, "ns/*")`), registered)).toEqual(['regexMatch']);
    expect(uncalledFunctions(analyseMatcher(`${SHIPPED} && eval(p_cond)`), registered)).toEqual([]);
  });
});

const RESOURCES: ResourceRef[] = [
  {},
  { namespace: 'acme' },
  { namespace: 'other' },
  COMPONENT,
  { namespace: 'other', project: 'x', component: 'y' },
];
const SUBJECTS_TO_CHECK = [...Object.values(SUBJECTS), user('casey', 'developers', 'viewers'), user('olga', 'acme-viewers')];

/** Every decision of `engine` equals the full Casbin scan's on the same policy. */
async function expectSameAsFullScan(dir: string, engine: PolicyEngine) {
  const fullScan = await PolicyEngine.load(dir, { rowIndex: 'none', decisionCacheSize: 0 });
  const mismatches: string[] = [];
  let allowed = 0;
  for (const subject of SUBJECTS_TO_CHECK) {
    for (const action of ACTIONS) {
      for (const resource of RESOURCES) {
        for (const attributes of [{}, DEV_ENV, PROD_ENV, { componentType: 'deployment/service' }]) {
          const request = { subject, action, resource, attributes };
          const expected = fullScan.decide(request);
          if (expected.allowed) allowed++;
          if (!isDeepStrictEqual(engine.decide(request), expected) && mismatches.length < 3) mismatches.push(JSON.stringify(request));
        }
      }
    }
  }
  expect(mismatches).toEqual([]);
  return allowed;
}

/** Scoped bindings, so that a scope index would leave rows out. */
const SCOPED_BINDINGS = `
  - name: acme-viewers
    role: viewer
    subjects: [group:acme-viewers]
    scope: { namespace: acme }

  - name: shop-developers
    role: developer
    subjects: [group:developers]
    scope: { namespace: acme, project: shop }
`;

describe('an edited model.conf', () => {
  const model = async (from: string, to: string) => {
    const [text, bindings] = await Promise.all([
      readFile(join(DEFAULT_POLICY_DIR, 'model.conf'), 'utf8'),
      readFile(join(DEFAULT_POLICY_DIR, 'bindings.yaml'), 'utf8'),
    ]);
    expect(text).toContain(from);
    return policyDir(undefined, { 'model.conf': text.replace(from, to), 'bindings.yaml': bindings + SCOPED_BINDINGS });
  };

  it('whose matcher grants outside the binding scope gets no scope index, and the same answers as a full scan', async () => {
    // Anyone holding namespace:view somewhere may view every namespace: rows whose scope does not
    // cover the resource must still reach Casbin.
    const dir = await model('resourceMatch(r.res, p.res)', '(resourceMatch(r.res, p.res) || r.act == "namespace:view")');
    const logs: object[] = [];
    const engine = await PolicyEngine.load(dir, { log: (_msg, fields) => fields && logs.push(fields) });
    expect(logs[0]).toMatchObject({ rowIndex: 'subject+action' });
    const acmeViewer = user('olga', 'acme-viewers');
    expect(engine.decide({ subject: acmeViewer, action: 'namespace:view', resource: { namespace: 'other' } })).toMatchObject({
      allowed: true,
      binding: { name: 'acme-viewers', scope: 'ns/acme' },
    });
    expect(engine.decide({ subject: acmeViewer, action: 'project:view', resource: { namespace: 'other' } }).reason).toBe('no_match');
    expect(await expectSameAsFullScan(dir, engine)).toBeGreaterThan(0);
  });

  it('that calls a Casbin built-in still has it (unused built-ins are dropped, used ones kept)', async () => {
    const dir = await model(
      'conditionMatch(p.cond, p.eft, r.attrs)',
      'conditionMatch(p.cond, p.eft, r.attrs) && !keyMatch(r.res, "ns/secret*")',
    );
    const engine = await PolicyEngine.load(dir);
    expect(engine.decide({ subject: SUBJECTS.admin, action: 'component:view', resource: COMPONENT })).toMatchObject({
      allowed: true,
      reason: 'allow',
    });
    expect(engine.decide({ subject: SUBJECTS.admin, action: 'component:view', resource: { namespace: 'secret-ops' } }).reason).toBe(
      'no_match',
    );
    await expectSameAsFullScan(dir, engine);
  });
});
