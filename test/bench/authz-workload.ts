/**
 * The authorization benchmark's workload: a generated policy with many groups, namespaces and
 * projects, some denies and some conditions, 500 users in 3-6 groups each, a stream of 5,000
 * decisions (half aimed at the callers' own scopes) and 200 list pages. Deterministic (seeded), so
 * runs are comparable.
 */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Subject } from '../../shared/auth/subject.js';
import { ACTIONS } from '../../shared/authz/actions.js';
import type { AccessAttributes, AccessRequest, ResourceRef } from '../../shared/authz/policy-engine.js';

const POLICY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies');

// Deterministic PRNG so runs are comparable.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface Generated {
  dir: string;
  bindings: number;
  rows: number;
  groups: number;
  requests: AccessRequest[];
  users: number;
  /** List pages: one subject and action, 100 items each (what a list tool checks one by one). */
  pages: ListPage[];
}

export interface ListPage {
  subject: Subject;
  action: string;
  items: Array<{ resource: ResourceRef; attributes: AccessAttributes }>;
}

export async function generate(bindingCount: number): Promise<Generated> {
  const random = rng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const GROUPS = 2000;
  const NAMESPACES = 50;
  const PROJECTS_PER_NS = 20;
  const COMPONENTS = ['api', 'web', 'worker', 'db', 'cache'];
  const ALLOW_ROLES = ['developer', 'viewer', 'sre', 'deployer', 'readonly-assistant', 'platform-engineer', 'sre-agent'];
  const DENY_ROLES = ['releasebinding-writer', 'deleter', 'viewer'];
  const ENVIRONMENTS = ['development', 'staging', 'production'];

  type Scope = { namespace?: string; project?: string; component?: string };
  const bindings: object[] = [];
  const scopesByGroup = new Map<string, Scope[]>();
  let rows = 0;
  for (let i = 0; i < bindingCount; i++) {
    const group = `team-${pad(Math.floor(random() * GROUPS), 4)}`;
    const subjects = [`group:${group}`];
    if (random() < 0.05) subjects.push(`service:bot-${pad(Math.floor(random() * 50), 2)}`);
    const namespace = `ns-${pad(Math.floor(random() * NAMESPACES), 2)}`;
    const project = `proj-${pad(Math.floor(random() * PROJECTS_PER_NS), 3)}`;
    const r = random();
    const scope: Scope = r < 0.1 ? { namespace } : r < 0.9 ? { namespace, project } : { namespace, project, component: pick(COMPONENTS) };
    const deny = random() < 0.1;
    const binding: Record<string, unknown> = {
      name: `b-${pad(i, 5)}`,
      role: deny ? pick(DENY_ROLES) : pick(ALLOW_ROLES),
      subjects,
      scope,
    };
    if (deny) binding.effect = 'deny';
    const c = random();
    if (c < 0.1) binding.when = { environment: [pick(ENVIRONMENTS)] };
    else if (c < 0.2) binding.when = { isProduction: deny };
    bindings.push(binding);
    rows += subjects.length;
    const list = scopesByGroup.get(group) ?? [];
    list.push(scope);
    scopesByGroup.set(group, list);
  }

  const dir = await mkdtemp(join(tmpdir(), 'plane-mcp-authz-bench-'));
  await copyFile(join(POLICY_DIR, 'model.conf'), join(dir, 'model.conf'));
  await copyFile(join(POLICY_DIR, 'roles.yaml'), join(dir, 'roles.yaml'));
  await writeFile(join(dir, 'bindings.yaml'), stringify({ bindings }));

  // 500 users in 3-6 groups each; requests aimed half at their own scopes (allows and denies),
  // half anywhere (mostly no-match).
  const USERS = 500;
  const users: Subject[] = [];
  for (let u = 0; u < USERS; u++) {
    const groups = new Set<string>();
    const n = 3 + Math.floor(random() * 4);
    while (groups.size < n) groups.add(`team-${pad(Math.floor(random() * GROUPS), 4)}`);
    users.push({ type: 'user', id: `user-${pad(u, 3)}`, groups: [...groups] });
  }
  const requests: AccessRequest[] = [];
  for (let i = 0; i < 5000; i++) {
    const subject =
      random() < 0.05 ? { type: 'service' as const, id: `bot-${pad(Math.floor(random() * 50), 2)}`, groups: [] } : pick(users);
    let resource: Scope;
    const own = subject.groups.flatMap((g) => scopesByGroup.get(g) ?? []);
    if (own.length && random() < 0.5) {
      const scope = pick(own);
      resource = {
        namespace: scope.namespace!,
        project: scope.project ?? `proj-${pad(Math.floor(random() * PROJECTS_PER_NS), 3)}`,
        component: scope.component ?? pick(COMPONENTS),
      };
    } else {
      resource = {
        namespace: `ns-${pad(Math.floor(random() * NAMESPACES), 2)}`,
        project: `proj-${pad(Math.floor(random() * PROJECTS_PER_NS), 3)}`,
        component: pick(COMPONENTS),
      };
    }
    const environment = pick([...ENVIRONMENTS, undefined]);
    const attributes = environment ? { environment, isProduction: environment === 'production' } : {};
    requests.push({ subject, action: pick(ACTIONS), resource, attributes });
  }

  // 200 list pages of 100 components each in one project, half in a project the caller has a
  // binding in; per-item environments for release bindings. Generated after the requests, so the
  // request stream is the same as before pages existed.
  const pages: ListPage[] = [];
  const names = [...COMPONENTS, ...Array.from({ length: 95 }, (_, i) => `c-${pad(i, 3)}`)];
  for (let p = 0; p < 200; p++) {
    const subject = pick(users);
    const own = subject.groups.flatMap((g) => scopesByGroup.get(g) ?? []);
    const scope: Scope = own.length && random() < 0.5 ? pick(own) : {};
    const namespace = scope.namespace ?? `ns-${pad(Math.floor(random() * NAMESPACES), 2)}`;
    const project = scope.project ?? `proj-${pad(Math.floor(random() * PROJECTS_PER_NS), 3)}`;
    const action = pick(['component:view', 'releasebinding:view', 'workflowrun:view']);
    const items = names.map((component) => {
      const environment = action === 'releasebinding:view' ? pick(ENVIRONMENTS) : undefined;
      return {
        resource: { namespace, project, component },
        attributes: environment ? { environment, isProduction: environment === 'production' } : {},
      };
    });
    pages.push({ subject, action, items });
  }
  return { dir, bindings: bindingCount, rows, groups: GROUPS, requests, users: USERS, pages };
}
