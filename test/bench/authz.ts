/**
 * Authorization benchmark: a generated policy with 10,000 bindings (many groups, namespaces and
 * projects, some denies, some conditions), loaded by the real engine, then a mixed stream of
 * allow / deny / no-match decisions.
 *
 * Casbin evaluates every `p` row on every call (~3 µs each). The engine therefore hands Casbin only
 * the candidate rows: those naming one of the caller's entitlements whose role holds the action
 * (index built at load; Casbin still evaluates the matcher and the effect over every candidate).
 * This benchmark measures that against a subject-only index and a full scan, and Casbin's own
 * action wildcard matching (`addNamedMatchingFunc`) against wildcards expanded at load, after
 * checking that every configuration returns the same decisions.
 *
 * Run alone: `npx tsx test/bench/authz.ts`.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { ACTIONS } from '../../shared/authz/actions.js';
import type { Subject } from '../../shared/auth/subject.js';
import { PolicyEngine, type AccessRequest, type DecisionReason, type PolicyEngineOptions } from '../../shared/authz/policy-engine.js';

const POLICY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies');

export interface ConfigResult {
  decisionsPerSecond: number;
  meanMicros: number;
  p99Micros: number;
  iterations: number;
}

export interface AuthzBenchResult {
  bindings: number;
  /** Casbin `p` rows (one per binding subject). */
  rows: number;
  groups: number;
  users: number;
  loadMs: number;
  /** The engine as shipped: rows indexed by subject and action, wildcards expanded at load. */
  decisionsPerSecond: number;
  meanMicros: number;
  p99Micros: number;
  iterations: number;
  outcomes: Record<DecisionReason, number>;
  /** Rows indexed by subject only (rowIndex: 'subject'). */
  subjectIndex: ConfigResult;
  /** Casbin scanning every row (rowIndex: 'none'), wildcards expanded at load. */
  fullScan: ConfigResult;
  /** The literal model sketch: every row scanned and Casbin's `addNamedMatchingFunc('g')` for wildcards. */
  fullScanCasbinPatterns: ConfigResult;
  /** Shipped row index, but Casbin's `addNamedMatchingFunc('g')` for wildcards. */
  indexedCasbinPatterns: ConfigResult;
  speedupOverSubjectIndex: number;
  speedupOverFullScan: number;
  speedupOverLiteralModel: number;
  /** Decisions compared across all five configurations; all identical. */
  crossChecked: number;
}

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

interface Generated {
  dir: string;
  bindings: number;
  rows: number;
  groups: number;
  requests: AccessRequest[];
  users: number;
}

async function generate(bindingCount: number): Promise<Generated> {
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
  return { dir, bindings: bindingCount, rows, groups: GROUPS, requests, users: USERS };
}

function measure(
  engine: PolicyEngine,
  requests: AccessRequest[],
  opts: { warmup: number; iterations: number; maxMs: number },
): ConfigResult {
  for (let i = 0; i < opts.warmup; i++) engine.decide(requests[i % requests.length]!);
  const samples: number[] = [];
  const start = performance.now();
  let i = 0;
  for (; i < opts.iterations; i++) {
    const t0 = performance.now();
    engine.decide(requests[i % requests.length]!);
    samples.push(performance.now() - t0);
    if ((i & 15) === 0 && performance.now() - start > opts.maxMs) {
      i++;
      break;
    }
  }
  const elapsed = performance.now() - start;
  samples.sort((a, b) => a - b);
  return {
    decisionsPerSecond: Math.round((i / elapsed) * 1000),
    meanMicros: Math.round((elapsed / i) * 1000 * 10) / 10,
    p99Micros: Math.round(samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))]! * 1000 * 10) / 10,
    iterations: i,
  };
}

export async function benchAuthorization(bindingCount = 10_000): Promise<AuthzBenchResult> {
  const generated = await generate(bindingCount);
  try {
    const load = async (options: PolicyEngineOptions) => PolicyEngine.load(generated.dir, options);
    const t0 = performance.now();
    const engine = await load({});
    const loadMs = Math.round(performance.now() - t0);
    const subjectIndex = await load({ rowIndex: 'subject' });
    const fullScan = await load({ rowIndex: 'none' });
    const literal = await load({ rowIndex: 'none', actionMatching: 'casbin-pattern' });
    const indexedPatterns = await load({ actionMatching: 'casbin-pattern' });

    // Every configuration must give the same answers.
    let crossChecked = 0;
    for (const [i, request] of generated.requests.slice(0, 400).entries()) {
      const expected = engine.decide(request);
      const others = i < 40 ? [subjectIndex, indexedPatterns, fullScan, literal] : [subjectIndex, indexedPatterns];
      for (const other of others) {
        const got = other.decide(request);
        if (got.allowed !== expected.allowed || got.reason !== expected.reason || got.binding?.name !== expected.binding?.name) {
          throw new Error(`configurations disagree on ${JSON.stringify(request)}: ${expected.explanation} / ${got.explanation}`);
        }
      }
      crossChecked++;
    }

    const outcomes: Record<DecisionReason, number> = { allow: 0, explicit_deny: 0, no_match: 0, evaluation_error: 0 };
    for (const request of generated.requests) outcomes[engine.decide(request).reason]++;

    const shipped = measure(engine, generated.requests, { warmup: 5000, iterations: 100_000, maxMs: 4000 });
    const bySubject = measure(subjectIndex, generated.requests, { warmup: 5000, iterations: 50_000, maxMs: 3000 });
    const scan = measure(fullScan, generated.requests, { warmup: 10, iterations: 300, maxMs: 2500 });
    const literalResult = measure(literal, generated.requests, { warmup: 10, iterations: 200, maxMs: 2500 });
    const patterns = measure(indexedPatterns, generated.requests, { warmup: 1000, iterations: 20_000, maxMs: 3000 });
    const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;

    return {
      bindings: generated.bindings,
      rows: generated.rows,
      groups: generated.groups,
      users: generated.users,
      loadMs,
      ...shipped,
      outcomes,
      subjectIndex: bySubject,
      fullScan: scan,
      fullScanCasbinPatterns: literalResult,
      indexedCasbinPatterns: patterns,
      speedupOverSubjectIndex: ratio(shipped.decisionsPerSecond, bySubject.decisionsPerSecond),
      speedupOverFullScan: ratio(shipped.decisionsPerSecond, scan.decisionsPerSecond),
      speedupOverLiteralModel: ratio(shipped.decisionsPerSecond, literalResult.decisionsPerSecond),
      crossChecked,
    };
  } finally {
    await rm(generated.dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchAuthorization();
  console.log(JSON.stringify(result, null, 2));
}
