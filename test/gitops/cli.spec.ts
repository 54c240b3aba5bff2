import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ORGANISATION_DIR } from '../../servers/control-plane/gitops/load-demo.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsx = path.join(repoRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');

let tmp: string;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PLANE_DATA_DIR: path.join(tmp, 'data'), PLANE_STORE: 'sqlite' };
    delete env['PLANE_DATABASE_URL'];
    const child = spawn(tsx, ['servers/control-plane/gitops/cli.ts', ...args], { cwd: repoRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'plane-gitops-cli-'));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('gitops CLI', () => {
  it('applies the demo (exit 0), is idempotent, and exports', async () => {
    const first = await runCli(['apply', DEMO_ORGANISATION_DIR]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('projects/gcp-microservice-demo/frontend.yaml\n  document 1  created   Component default/frontend');
    expect(first.stdout).toContain('44 created, 0 updated, 0 unchanged, 0 failed (44 documents in 18 files)');

    const second = await runCli(['apply', DEMO_ORGANISATION_DIR]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 created, 0 updated, 44 unchanged, 0 failed');

    const out = path.join(tmp, 'export');
    const exported = await runCli(['export', out]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('44 objects exported, 44 files written, 0 removed');
    expect(await readFile(path.join(out, 'default', 'namespace.yaml'), 'utf8')).toContain('kind: Namespace');
  }, 60_000);

  it('exits 1 on a directory with a bad document and names it', async () => {
    const dir = path.join(tmp, 'bad');
    await mkdir(dir);
    await writeFile(
      path.join(dir, 'ns.yaml'),
      'kind: Namespace\nmetadata: { name: Bad_Name }\nspec: {}\n---\nkind: Namespace\nmetadata: { name: fine }\nspec: {}\n',
    );
    const result = await runCli(['apply', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ns.yaml\n  document 1  error     Namespace Bad_Name: metadata.name: must be lowercase');
    expect(result.stdout).toContain('  document 2  created   Namespace fine');
    expect(result.stdout).toContain('1 created, 0 updated, 0 unchanged, 1 failed');
  }, 60_000);

  it('exits 2 with usage on bad arguments', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: gitops apply <dir>');
  }, 60_000);
});
