import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Subject } from '../../shared/auth/subject.js';
import { PolicyEngine, type PolicyEngineOptions } from '../../shared/authz/policy-engine.js';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_POLICY_DIR = join(here, '..', '..', 'policies');
export const FIXTURES_DIR = join(here, 'fixtures');

export const user = (id: string, ...groups: string[]): Subject => ({ type: 'user', id, groups });
export const service = (clientId: string): Subject => ({ type: 'service', id: clientId, groups: [], clientId });

/** The default people and service accounts, one per default binding. */
export const SUBJECTS = {
  admin: user('ada', 'platform-admins'),
  platformEngineer: user('pat', 'platform-engineers'),
  developer: user('dev', 'developers'),
  sre: user('sam', 'sre'),
  viewer: user('vic', 'viewers'),
  nobody: user('nobody'),
  ciDeployer: service('ci-deployer'),
  sreAgent: service('sre-agent'),
  finopsAgent: service('finops-agent'),
  readonlyAssistant: service('readonly-assistant'),
} as const;

export const COMPONENT = { namespace: 'acme', project: 'shop', component: 'api' } as const;
export const DEV_ENV = { environment: 'development', isProduction: false } as const;
export const PROD_ENV = { environment: 'production', isProduction: true } as const;

const tempDirs: string[] = [];

/**
 * A temp copy of the default policy, with any files of `fixtures/<fixture>/` laid over it and any
 * `files` (name → content) written last.
 */
export async function policyDir(fixture?: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plane-mcp-authz-'));
  tempDirs.push(dir);
  for (const name of await readdir(DEFAULT_POLICY_DIR)) await copyFile(join(DEFAULT_POLICY_DIR, name), join(dir, name));
  if (fixture) {
    for (const name of await readdir(join(FIXTURES_DIR, fixture))) {
      await copyFile(join(FIXTURES_DIR, fixture, name), join(dir, name));
    }
  }
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

export async function loadEngine(fixture?: string, options: PolicyEngineOptions = {}): Promise<PolicyEngine> {
  return PolicyEngine.load(fixture ? await policyDir(fixture) : DEFAULT_POLICY_DIR, options);
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
