/** Hot reload: edits to the policy directory take effect without a restart; broken edits are refused. */
import { appendFile, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PolicyEngine, PolicyLoadError } from '../../shared/authz/policy-engine.js';
import { COMPONENT, policyDir, removeTempDirs, SUBJECTS } from './helpers.js';

afterAll(removeTempDirs);

const engines: PolicyEngine[] = [];
afterEach(() => engines.splice(0).forEach((engine) => engine.close()));

const GRANT_ASSISTANT = `
  - name: assistant-right-sizing
    role: finops-agent
    subjects: [service:readonly-assistant]
`;

type Report = { version: number; err?: Error };

/**
 * Loads a watched engine on a temp copy of the default policy. `next(match)` resolves with the first
 * reload report from now on that satisfies `match` (an editor's write can fire more than one event).
 */
async function watched() {
  const dir = await policyDir();
  const waiters: Array<{ match: (r: Report) => boolean; resolve: (r: Report) => void }> = [];
  const logs: string[] = [];
  const engine = await PolicyEngine.load(dir, {
    watch: true,
    debounceMs: 50,
    log: (msg) => logs.push(msg),
    onReload: (version, err) => {
      const report: Report = err ? { version, err } : { version };
      for (const waiter of waiters.splice(0)) {
        if (waiter.match(report)) waiter.resolve(report);
        else waiters.push(waiter);
      }
    },
  });
  engines.push(engine);
  const next = (match: (r: Report) => boolean) =>
    new Promise<Report>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching reload within 5 s')), 5000);
      waiters.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  return { dir, engine, next, logs };
}

const ok = (version: number) => (r: Report) => !r.err && r.version === version;
const failed = (r: Report) => r.err !== undefined;

const assistantUpdates = (engine: PolicyEngine) =>
  engine.decide({ subject: SUBJECTS.readonlyAssistant, action: 'releasebinding:update', resource: COMPONENT });

describe('hot reload', () => {
  it('an edit to bindings.yaml changes decisions without a restart', async () => {
    const { dir, engine, next } = await watched();
    expect(assistantUpdates(engine)).toMatchObject({ allowed: false, reason: 'no_match', policyVersion: 1 });

    const reloaded = next(ok(2));
    await appendFile(join(dir, 'bindings.yaml'), GRANT_ASSISTANT);
    expect(await reloaded).toEqual({ version: 2 });

    const decision = assistantUpdates(engine);
    expect(decision).toMatchObject({ allowed: true, reason: 'allow', policyVersion: 2 });
    expect(decision.binding?.name).toBe('assistant-right-sizing');
    expect(engine.version).toBe(2);
  });

  it('a broken edit keeps the last good policy and reports the error', async () => {
    const { dir, engine, next, logs } = await watched();
    const good = await readFile(join(dir, 'bindings.yaml'), 'utf8');

    let reloaded = next(ok(2));
    await writeFile(join(dir, 'bindings.yaml'), good + GRANT_ASSISTANT);
    await reloaded;

    // unknown role: refused, version and decisions unchanged
    reloaded = next(failed);
    await writeFile(
      join(dir, 'bindings.yaml'),
      `${good}${GRANT_ASSISTANT}\n  - name: oops\n    role: superuser\n    subjects: [group:x]\n`,
    );
    const refused = await reloaded;
    expect(refused.version).toBe(2);
    expect(refused.err).toBeInstanceOf(PolicyLoadError);
    expect(refused.err?.message).toContain("bindings.yaml: binding 'oops' (#13): role: unknown role 'superuser'");
    expect(engine.lastError).toBe(refused.err);
    expect(engine.version).toBe(2);
    expect(assistantUpdates(engine)).toMatchObject({ allowed: true, policyVersion: 2 });
    expect(logs).toContain('authz policy reload failed; keeping the last good policy');

    // invalid YAML: same
    reloaded = next(failed);
    await writeFile(join(dir, 'bindings.yaml'), 'bindings: [\n');
    expect((await reloaded).err?.message).toContain('invalid YAML');
    expect(assistantUpdates(engine).allowed).toBe(true);

    // a fixed file goes live
    reloaded = next(ok(3));
    await writeFile(join(dir, 'bindings.yaml'), good);
    await reloaded;
    expect(engine.lastError).toBeUndefined();
    expect(assistantUpdates(engine)).toMatchObject({ allowed: false, reason: 'no_match', policyVersion: 3 });
  });

  it('a role edit takes effect too (roles.yaml)', async () => {
    const { dir, engine, next } = await watched();
    const roles = await readFile(join(dir, 'roles.yaml'), 'utf8');
    const reloaded = next(ok(2));
    await writeFile(
      join(dir, 'roles.yaml'),
      roles.replace(
        '  readonly-assistant:\n    description: A general assistant that reads platform resources, logs, metrics and traces.\n    actions:\n',
        '  readonly-assistant:\n    description: A general assistant that reads platform resources, logs, metrics and traces.\n    actions:\n      - releasebinding:update\n',
      ),
    );
    await reloaded;
    expect(assistantUpdates(engine).allowed).toBe(true);
  });

  it('reload() rebuilds from the files on demand; a failing reload resolves and reports', async () => {
    const dir = await policyDir();
    const reports: Array<[number, Error | undefined]> = [];
    const engine = await PolicyEngine.load(dir, { onReload: (v, err) => reports.push([v, err]) });
    engines.push(engine);
    await appendFile(join(dir, 'bindings.yaml'), GRANT_ASSISTANT);
    expect(assistantUpdates(engine).allowed).toBe(false); // not watching: nothing changes by itself
    await engine.reload();
    expect(engine.version).toBe(2);
    expect(assistantUpdates(engine).allowed).toBe(true);

    await writeFile(join(dir, 'roles.yaml'), 'roles: {}\n'); // bindings now name unknown roles
    await expect(engine.reload()).resolves.toBeUndefined();
    expect(engine.version).toBe(2);
    expect(reports.at(-1)?.[1]).toBeInstanceOf(PolicyLoadError);
    expect(assistantUpdates(engine).allowed).toBe(true);
  });

  it('a reload drops every cache: cached decisions and new prepared checks see the new version at once', async () => {
    const dir = await policyDir();
    const engine = await PolicyEngine.load(dir);
    engines.push(engine);
    const good = await readFile(join(dir, 'bindings.yaml'), 'utf8');
    expect(assistantUpdates(engine)).toMatchObject({ allowed: false, reason: 'no_match', policyVersion: 1 });
    expect(assistantUpdates(engine)).toMatchObject({ allowed: false, reason: 'no_match', policyVersion: 1 }); // now from the cache
    const preparedAtVersion1 = engine.prepare(SUBJECTS.readonlyAssistant, 'releasebinding:update');
    expect(preparedAtVersion1(COMPONENT)).toBe(false);

    await appendFile(join(dir, 'bindings.yaml'), GRANT_ASSISTANT);
    await engine.reload();
    expect(assistantUpdates(engine)).toMatchObject({
      allowed: true,
      reason: 'allow',
      policyVersion: 2,
      binding: { name: 'assistant-right-sizing' },
    });
    expect(engine.prepare(SUBJECTS.readonlyAssistant, 'releasebinding:update')(COMPONENT)).toBe(true);
    // A check prepared before the reload keeps answering for its version (one list sees one version).
    expect(preparedAtVersion1(COMPONENT)).toBe(false);

    // Revoked again: the cached allow of version 2 is gone with it.
    await writeFile(join(dir, 'bindings.yaml'), good);
    await engine.reload();
    expect(assistantUpdates(engine)).toMatchObject({ allowed: false, reason: 'no_match', policyVersion: 3 });
    expect(engine.prepare(SUBJECTS.readonlyAssistant, 'releasebinding:update')(COMPONENT)).toBe(false);
  });

  it('decisions made during a reload see one whole policy version', async () => {
    const dir = await policyDir();
    const engine = await PolicyEngine.load(dir);
    engines.push(engine);
    await appendFile(join(dir, 'bindings.yaml'), GRANT_ASSISTANT);
    const pending = engine.reload();
    const during = assistantUpdates(engine); // before the swap
    await pending;
    const after = assistantUpdates(engine);
    expect([during.allowed, during.policyVersion]).toEqual([false, 1]);
    expect([after.allowed, after.policyVersion]).toEqual([true, 2]);
  });

  it('follows a Kubernetes ConfigMap update (files are symlinks through a swapped `..data` link)', async () => {
    const source = await policyDir();
    const dir = join(source, 'configmap'); // inside a registered temp dir, so it is cleaned up
    await mkdir(dir);
    const version = async (name: string, extra = '') => {
      await mkdir(join(dir, name));
      for (const file of ['model.conf', 'roles.yaml', 'bindings.yaml']) {
        await writeFile(join(dir, name, file), (await readFile(join(source, file), 'utf8')) + (file === 'bindings.yaml' ? extra : ''));
      }
    };
    await version('..v1');
    await symlink('..v1', join(dir, '..data'));
    for (const file of ['model.conf', 'roles.yaml', 'bindings.yaml']) await symlink(join('..data', file), join(dir, file));

    let resolveReload: (v: number) => void = () => {};
    const reloaded = new Promise<number>((resolve) => (resolveReload = resolve));
    const engine = await PolicyEngine.load(dir, { watch: true, debounceMs: 50, onReload: (v, err) => !err && resolveReload(v) });
    engines.push(engine);
    expect(assistantUpdates(engine).allowed).toBe(false);

    await version('..v2', GRANT_ASSISTANT);
    await symlink('..v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(await reloaded).toBe(2);
    expect(assistantUpdates(engine).allowed).toBe(true);
  });

  it('close() stops watching', async () => {
    const { dir, engine } = await watched();
    engine.close();
    await appendFile(join(dir, 'bindings.yaml'), GRANT_ASSISTANT);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(engine.version).toBe(1);
  });
});
