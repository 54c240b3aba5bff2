/** Loading refuses bad policy files with an error naming the file, the role or binding, and the field. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PolicyEngine, PolicyLoadError } from '../../shared/authz/policy-engine.js';
import { DEFAULT_POLICY_DIR, loadEngine, policyDir, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

async function loadError(files: Record<string, string>, fixture?: string): Promise<PolicyLoadError> {
  const dir = await policyDir(fixture, files);
  try {
    await PolicyEngine.load(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyLoadError);
    return err as PolicyLoadError;
  }
  throw new Error('expected the policy to be refused');
}

const binding = (body: string) => `bindings:\n  - name: ok\n    role: viewer\n    subjects: [group:viewers]\n${body}`;

describe('roles.yaml', () => {
  it('an unknown action in a role refuses the whole policy (fixture)', async () => {
    const err = await loadError({}, 'unknown-action');
    expect(err.file).toBe('roles.yaml');
    expect(err.details).toMatchObject({ role: 'developer', field: 'actions[1]' });
    expect(err.message).toContain("roles.yaml: role 'developer': actions[1]: unknown action or pattern 'componet:update'");
  });

  it.each([['componet:*'], ['*:view'], ['component:'], ['component'], ['comp*'], ['']])('refuses pattern %j', async (pattern) => {
    const err = await loadError({ 'roles.yaml': `roles:\n  viewer:\n    description: x\n    actions: [${JSON.stringify(pattern)}]\n` });
    expect(err.message).toContain(`unknown action or pattern '${pattern}'`);
  });

  it('refuses an unknown field and a role without actions', async () => {
    expect((await loadError({ 'roles.yaml': 'roles:\n  viewer:\n    description: x\n    action: ["*"]\n' })).message).toMatch(
      /roles\.yaml: role 'viewer': .*/,
    );
    const empty = await loadError({ 'roles.yaml': 'roles:\n  viewer:\n    description: x\n    actions: []\n' });
    expect(empty.message).toContain("role 'viewer': actions: a role needs at least one action");
  });

  it('refuses role names that could collide with actions', async () => {
    const err = await loadError({ 'roles.yaml': 'roles:\n  "component:view":\n    description: x\n    actions: ["*"]\n' });
    expect(err.file).toBe('roles.yaml');
  });
});

describe('bindings.yaml', () => {
  it.each<[string, string, RegExp]>([
    [
      'unknown role',
      binding('  - name: bad\n    role: superuser\n    subjects: [group:x]\n'),
      /binding 'bad' \(#2\): role: unknown role 'superuser'/,
    ],
    [
      'a list given as a string',
      binding('  - name: bad\n    role: viewer\n    subjects: [group:x]\n    when: { environment: production }\n'),
      /binding 'bad' \(#2\): when\.environment: /,
    ],
    [
      'a misspelt key',
      binding('  - name: bad\n    role: viewer\n    subjects: [group:x]\n    wen: { isProduction: true }\n'),
      /binding 'bad' \(#2\): .*wen/,
    ],
    [
      'a subject without a kind',
      binding('  - name: bad\n    role: viewer\n    subjects: [developers]\n'),
      /binding 'bad' \(#2\): subjects\[0\]: a subject is/,
    ],
    [
      'an unknown effect',
      binding('  - name: bad\n    role: viewer\n    subjects: [group:x]\n    effect: maybe\n'),
      /binding 'bad' \(#2\): effect: /,
    ],
    [
      'an empty when',
      binding('  - name: bad\n    role: viewer\n    subjects: [group:x]\n    when: {}\n'),
      /binding 'bad' \(#2\): when: a "when" block must name at least one condition/,
    ],
    [
      'an unknown condition',
      binding('  - name: bad\n    role: viewer\n    subjects: [group:x]\n    when: { region: [eu] }\n'),
      /binding 'bad' \(#2\): when: .*region/,
    ],
    [
      'a duplicate name',
      binding('  - name: ok\n    role: viewer\n    subjects: [group:x]\n'),
      /binding 'ok' \(#2\): name: duplicate binding name/,
    ],
    [
      'no subjects',
      binding('  - name: bad\n    role: viewer\n    subjects: []\n'),
      /binding 'bad' \(#2\): subjects: a binding needs at least one subject/,
    ],
    ['invalid YAML', 'bindings:\n  - name: [unclosed\n', /bindings\.yaml: invalid YAML/],
    ['no bindings key', 'rules: []\n', /bindings\.yaml: /],
  ])('%s', async (_label, text, message) => {
    const err = await loadError({ 'bindings.yaml': text });
    expect(err.file).toBe('bindings.yaml');
    expect(err.message).toMatch(message);
  });

  it.each<[string, string, string]>([
    ['{ namespace: "*" }', 'scope.namespace', 'DNS-1123'],
    ['{ namespace: acme, project: "a/b" }', 'scope.project', 'DNS-1123'],
    ['{ namespace: "..", project: x }', 'scope.namespace', 'DNS-1123'],
    ['{ namespace: "" }', 'scope.namespace', 'must not be empty'],
    ['{ namespace: Acme }', 'scope.namespace', 'DNS-1123'],
    ['{ project: shop }', 'scope.namespace', 'needs its parent'],
    ['{ namespace: acme, component: api }', 'scope.project', 'needs its parent'],
  ])('scope %s is refused (%s)', async (scope, field, rule) => {
    const err = await loadError({
      'bindings.yaml': binding(`  - name: scoped\n    role: viewer\n    subjects: [group:x]\n    scope: ${scope}\n`),
    });
    expect(err.details).toMatchObject({ binding: 'scoped', field });
    expect(err.message).toContain(`bindings.yaml: binding 'scoped' (#2): ${field}`);
    expect(err.message).toContain(rule);
  });
});

describe('model.conf', () => {
  it('refuses a model whose effect is not deny-override', async () => {
    const model = (await readFile(join(DEFAULT_POLICY_DIR, 'model.conf'), 'utf8')).replace(
      'e = some(where (p.eft == allow)) && !some(where (p.eft == deny))',
      'e = some(where (p.eft == allow))',
    );
    const err = await loadError({ 'model.conf': model });
    expect(err).toMatchObject({ file: 'model.conf', details: { field: 'policy_effect' } });
  });

  it('refuses a model with a different request layout', async () => {
    const model = (await readFile(join(DEFAULT_POLICY_DIR, 'model.conf'), 'utf8')).replace(
      'r = subs, res, act, attrs',
      'r = sub, obj, act',
    );
    expect((await loadError({ 'model.conf': model })).details.field).toBe('request_definition');
  });

  it('reports a missing file', async () => {
    await expect(PolicyEngine.load(join(DEFAULT_POLICY_DIR, 'does-not-exist'))).rejects.toThrow(/model\.conf: cannot read/);
  });
});

describe('the default policy', () => {
  it('loads, with version 1', async () => {
    const engine = await loadEngine();
    expect(engine.version).toBe(1);
    expect(engine.roles().map((r) => r.name)).toContain('readonly-assistant');
    expect(engine.bindings().find((b) => b.name === 'services-never-delete')).toMatchObject({
      effect: 'deny',
      subjects: ['authenticated'],
      when: 'subjectType = service',
      scope: '*',
    });
  });
});
