/**
 * The shared authorization engine for both MCP servers: a Casbin RBAC/ABAC policy loaded from
 * `policies/` (model.conf + roles.yaml + bindings.yaml).
 *
 * Casbin does the evaluation: every decision is one `enforceExSync` call whose request carries ALL
 * of the subject's entitlements, so deny-override spans every group at once. Custom matcher
 * functions (`subjectIn`, `resourceMatch`, `conditionMatch`) are registered with `addFunction`;
 * role → action links are Casbin `g` rows. Conditions are compiled once per load.
 *
 * Speed: Casbin scans every `p` row on every call (~3 µs/row), so with thousands of bindings the
 * engine hands Casbin only the candidate rows: those naming one of the caller's entitlements whose
 * role holds the requested action (an index built at load, cached per entitlement set and policy
 * version). The other rows could never satisfy `subjectIn` or `g`, so the decision is unchanged;
 * Casbin still evaluates the matcher and the effect over every candidate. The candidates are put in
 * the enforcer's `p` assertion for the duration of the synchronous `enforceExSync` call.
 */
import { watch, type FSWatcher } from 'node:fs';
import { newEnforcer, type Enforcer } from 'casbin';
import { entitlementsOf, type Subject } from '../auth/subject.js';
import { ACTIONS, actionMatches, isKnownAction } from './actions.js';
import type { ConditionInput } from './conditions.js';
import { BINDINGS_FILE, MODEL_FILE, readPolicyDir, ROLES_FILE, type BindingDef, type PolicySource, type RoleDef } from './policy-files.js';
import { describePath, resourceMatch, resourcePath, type ResourceRef } from './resource-path.js';

export type { ResourceRef } from './resource-path.js';
export { InvalidResourceNameError } from './resource-path.js';
export { PolicyLoadError } from './policy-files.js';

export interface AccessAttributes {
  environment?: string;
  isProduction?: boolean;
  componentType?: string;
}

export interface AccessRequest {
  subject: Subject;
  action: string;
  resource: ResourceRef;
  attributes?: AccessAttributes;
}

export interface BindingRef {
  name: string;
  role: string;
  effect: 'allow' | 'deny';
  /** The binding's scope as a path (`*` = everywhere). */
  scope: string;
  /** The entitlement that matched (`group:developers`, `service:ci-deployer`, `authenticated` …). */
  subject: string;
}

export interface Decision {
  allowed: boolean;
  reason: 'allow' | 'explicit_deny' | 'no_match';
  /** The binding that allowed or denied. */
  binding?: BindingRef;
  /** On no_match: roles that hold this action (so an admin knows what to grant). */
  wouldAllow?: string[];
  /** One sentence for humans and LLMs. */
  explanation: string;
  policyVersion: number;
  /** Set when evaluation itself failed; the decision is then a denial (fail closed). */
  error?: string;
}

export interface Capability {
  action: string;
  /** Paths where some allow binding could grant it. */
  scopes: string[];
}

export interface RoleAssignment {
  role: string;
  binding: string;
  scope: string;
  effect: 'allow' | 'deny';
  /** The entitlement the binding names (`group:sre` …). */
  subject: string;
  /** The binding's condition, e.g. `isProduction = true`, when it has one. */
  when?: string;
}

export interface RoleInfo {
  name: string;
  description: string;
  actions: string[];
  internal: boolean;
}

export interface BindingInfo {
  name: string;
  role: string;
  subjects: string[];
  scope: string;
  effect: 'allow' | 'deny';
  when?: string;
  description?: string;
}

export interface PolicyEngineOptions {
  /** Watch the policy directory and reload on change (debounced). */
  watch?: boolean;
  /** Called after every reload attempt: the version now in force, and the error if the reload failed. */
  onReload?: (version: number, err?: Error) => void;
  log?: (msg: string, fields?: object) => void;
  /** Debounce for the watcher, ms (default 150). */
  debounceMs?: number;
  /**
   * Which rows Casbin is handed (default `subject+action`): only rows naming one of the caller's
   * entitlements whose role holds the action; `subject`: every row naming one of the caller's
   * entitlements; `none`: every row. The excluded rows could never satisfy `subjectIn` / `g`, so the
   * decisions are identical, only slower. The other settings are for benchmarks and equivalence tests.
   */
  rowIndex?: 'subject+action' | 'subject' | 'none';
  /**
   * How `g` resolves action wildcards. `expand` (default): patterns are expanded against the closed
   * catalogue at load, one `g, <action>, <role>` row each. `casbin-pattern`: `g` rows keep the
   * patterns and a named matching function (`addNamedMatchingFunc('g', …)`) resolves them at
   * decision time. Same answers, but with a matching function node-casbin rebuilds its whole role
   * graph (O(nodes²) matching calls) on every `g()` call it has not memoised, and it never memoises
   * `false`: ~1.8x slower per decision with the default row index, ~15x without it, and growing
   * with the number of roles. For benchmarks and equivalence tests.
   */
  actionMatching?: 'expand' | 'casbin-pattern';
}

type Row = string[]; // [sub, res, role, eft, cond, binding]

/** Mutable per-evaluation state shared with the matcher functions (decisions are synchronous). */
interface EvalState {
  error: unknown;
}

const MAX_CACHED_ENTITLEMENT_SETS = 10_000;

/** One immutable, fully built policy version. Swapped atomically on reload. */
class CompiledPolicy {
  private readonly subsetCache = new Map<string, { rows: Row[]; byAction: Map<string, Row[]> }>();

  constructor(
    readonly version: number,
    readonly source: PolicySource,
    readonly enforcer: Enforcer,
    readonly rows: Row[],
    private readonly rowIndexByEntitlement: Map<string, number[]>,
    readonly state: EvalState,
    readonly rolesByAction: Map<string, string[]>,
    readonly bindingsByName: Map<string, BindingDef>,
  ) {
    this.pAssertion = enforcer.getModel().model.get('p')?.get('p');
    for (const role of source.roles.values()) this.roleActions.set(role.name, new Set(role.expanded));
  }

  /** Casbin's `p` assertion; its `policy` array is what `enforceExSync` scans. */
  readonly pAssertion: { policy: string[][] } | undefined;
  private readonly roleActions = new Map<string, ReadonlySet<string>>();

  /** The bindings naming any of `entitlements`, in policy order. */
  bindingsFor(entitlements: readonly string[]): BindingDef[] {
    const seen = new Set<string>();
    const out: BindingDef[] = [];
    for (const row of this.rowsFor(entitlements)) {
      const name = row[5]!;
      if (seen.has(name)) continue;
      seen.add(name);
      const def = this.bindingsByName.get(name);
      if (def) out.push(def);
    }
    return out;
  }

  /**
   * The rows whose subject is one of `entitlements` (and, given an action, whose role holds it), in
   * policy order. Cached per entitlement set for the life of this policy version.
   */
  rowsFor(entitlements: readonly string[], action?: string): Row[] {
    const present = entitlements.filter((e) => this.rowIndexByEntitlement.has(e));
    if (present.length === 0) return [];
    const key = present.join('\u0000');
    let entry = this.subsetCache.get(key);
    if (!entry) {
      const indices = new Set<number>();
      for (const e of present) for (const i of this.rowIndexByEntitlement.get(e)!) indices.add(i);
      const rows = [...indices].sort((a, b) => a - b).map((i) => this.rows[i]!);
      if (this.subsetCache.size >= MAX_CACHED_ENTITLEMENT_SETS) {
        const oldest = this.subsetCache.keys().next().value;
        if (oldest !== undefined) this.subsetCache.delete(oldest);
      }
      entry = { rows, byAction: new Map() };
      this.subsetCache.set(key, entry);
    }
    if (action === undefined) return entry.rows;
    let rows = entry.byAction.get(action);
    if (!rows) {
      rows = entry.rows.filter((row) => this.roleActions.get(row[2]!)?.has(action) ?? false);
      entry.byAction.set(action, rows);
    }
    return rows;
  }
}

function patternMatchingFunc(name: string, key: string): boolean {
  // node-casbin calls this as (queried name, stored name). Stored patterns are `*` or `kind:*`;
  // role names contain no ':' so they only ever match themselves.
  if (name === key) return true;
  return name.includes(':') && (key === '*' || key.endsWith(':*')) && actionMatches(name, key);
}

async function buildPolicy(source: PolicySource, version: number, actionMatching: 'expand' | 'casbin-pattern'): Promise<CompiledPolicy> {
  const state: EvalState = { error: undefined };
  const rows: Row[] = [];
  const rowIndexByEntitlement = new Map<string, number[]>();
  source.bindings.forEach((b, bindingIndex) => {
    for (const sub of b.subjects) {
      const list = rowIndexByEntitlement.get(sub) ?? [];
      list.push(rows.length);
      rowIndexByEntitlement.set(sub, list);
      rows.push([sub, b.path, b.role, b.effect, b.condition ? String(bindingIndex) : '', b.name]);
    }
  });
  const conditions = source.bindings.map((b) => b.condition);

  const enforcer = await newEnforcer(source.model);
  // NB node-casbin's addFunction silently keeps an existing function of the same name (including
  // its built-ins: keyMatch*, regexMatch, ipMatch, globMatch …), so these names must stay unique.
  // Fail closed: an exception in a matcher function records the error (the decision becomes a
  // denial) and the function answers "no match" (or "match" for a deny row's condition).
  await enforcer.addFunction('subjectIn', (sub: string, subs: ReadonlySet<string>) => {
    try {
      return subs.has(sub);
    } catch (err) {
      state.error = err;
      return false;
    }
  });
  await enforcer.addFunction('resourceMatch', (requestPath: string, grantPath: string) => {
    try {
      return resourceMatch(requestPath, grantPath);
    } catch (err) {
      state.error = err;
      return false;
    }
  });
  await enforcer.addFunction('conditionMatch', (cond: string, eft: string, input: ConditionInput) => {
    try {
      if (cond === '') return true;
      const compiled = conditions[Number(cond)];
      if (!compiled) throw new Error(`no compiled condition #${cond}`);
      const result = compiled.evaluate(input);
      // Unknown attribute: an allow does not match, a deny does.
      return result === undefined ? eft === 'deny' : result;
    } catch (err) {
      state.error = err;
      return eft === 'deny';
    }
  });

  const gRows: string[][] = [];
  for (const role of source.roles.values()) {
    const actions = actionMatching === 'expand' ? role.expanded : role.actions;
    for (const action of actions) gRows.push([action, role.name]);
  }
  if (actionMatching === 'casbin-pattern') await enforcer.addNamedMatchingFunc('g', patternMatchingFunc);
  if (gRows.length > 0) await enforcer.addGroupingPolicies(gRows);
  if (rows.length > 0) await enforcer.addPolicies(rows);

  const rolesByAction = new Map<string, string[]>();
  for (const action of ACTIONS) {
    rolesByAction.set(
      action,
      [...source.roles.values()].filter((r) => !r.internal && r.expanded.includes(action)).map((r) => r.name),
    );
  }
  const bindingsByName = new Map(source.bindings.map((b) => [b.name, b]));
  return new CompiledPolicy(version, source, enforcer, rows, rowIndexByEntitlement, state, rolesByAction, bindingsByName);
}

function normalizeAttributes(subject: Subject, attributes: AccessAttributes | undefined): ConditionInput {
  // Only well-typed, non-empty values count as known; anything else is "not supplied".
  const a = attributes ?? {};
  return {
    environment: typeof a.environment === 'string' && a.environment !== '' ? a.environment : undefined,
    isProduction: typeof a.isProduction === 'boolean' ? a.isProduction : undefined,
    componentType: typeof a.componentType === 'string' && a.componentType !== '' ? a.componentType : undefined,
    subjectType: subject.type === 'service' ? 'service' : 'user',
  };
}

function describeAttributes(input: ConditionInput): string {
  const parts: string[] = [];
  if (input.environment !== undefined) parts.push(`environment=${input.environment}`);
  if (input.isProduction !== undefined) parts.push(`isProduction=${input.isProduction}`);
  if (input.componentType !== undefined) parts.push(`componentType=${input.componentType}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

function missingAttributes(binding: BindingDef | undefined, input: ConditionInput): string[] {
  return (binding?.condition?.needs ?? []).filter((key) => input[key] === undefined);
}

function atScope(path: string): string {
  return path === '*' ? 'everywhere' : `at ${path}`;
}

function listOr(items: readonly string[], none: string): string {
  return items.length ? items.join(', ') : none;
}

export class PolicyEngine {
  private current: CompiledPolicy;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    readonly policyDir: string,
    initial: CompiledPolicy,
    private readonly options: PolicyEngineOptions,
  ) {
    this.current = initial;
  }

  /** Loads and validates the policy directory. Rejects with `PolicyLoadError` if it is invalid. */
  static async load(policyDir: string, options: PolicyEngineOptions = {}): Promise<PolicyEngine> {
    const source = await readPolicyDir(policyDir);
    const compiled = await buildPolicy(source, 1, options.actionMatching ?? 'expand');
    const engine = new PolicyEngine(policyDir, compiled, options);
    engine.log('authz policy loaded', {
      version: 1,
      roles: source.roles.size,
      bindings: source.bindings.length,
      hash: source.hash.slice(0, 12),
    });
    if (options.watch) engine.startWatching();
    return engine;
  }

  get version(): number {
    return this.current.version;
  }

  /** The error of the last failed reload, cleared by the next successful one. */
  get lastError(): Error | undefined {
    return this.failure;
  }

  // ---------- decisions ----------

  /**
   * One authorization decision, evaluated by Casbin over all of the subject's entitlements at once.
   * Throws `InvalidResourceNameError` if a resource name is not a DNS-1123 label (never widened).
   */
  decide(request: AccessRequest): Decision {
    const policy = this.current; // one snapshot for the whole decision
    const path = resourcePath(request.resource);
    const { subject, action } = request;
    let entitlements: string[];
    let input: ConditionInput;
    try {
      if (!subject.id) throw new Error('subject has no id');
      entitlements = entitlementsOf(subject);
      input = normalizeAttributes(subject, request.attributes);
    } catch (err) {
      return this.failed(policy, `invalid request: ${(err as Error).message}`, action, path);
    }
    const who = entitlements[0]!;
    const where = `${describePath(path)}${describeAttributes(input)}`;

    if (!isKnownAction(action)) {
      return {
        allowed: false,
        reason: 'no_match',
        wouldAllow: [],
        explanation: `${who} may not ${action} on ${where}: '${action}' is not a catalogue action, so no role can grant it.`,
        policyVersion: policy.version,
      };
    }

    let result: [boolean, string[]];
    const index = this.options.rowIndex ?? 'subject+action';
    const indexed = index !== 'none';
    const assertion = policy.pAssertion;
    policy.state.error = undefined;
    try {
      // Hand Casbin the candidate rows only (see the file comment); restored in `finally`.
      if (indexed && assertion) {
        assertion.policy = policy.rowsFor(entitlements, index === 'subject+action' ? action : undefined);
      }
      result = policy.enforcer.enforceExSync(new Set(entitlements), path, action, input);
    } catch (err) {
      policy.state.error = err;
      result = [false, []];
    } finally {
      if (indexed && assertion) assertion.policy = policy.rows;
    }
    if (policy.state.error !== undefined || !Array.isArray(result)) {
      const message = policy.state.error instanceof Error ? policy.state.error.message : String(policy.state.error);
      policy.state.error = undefined;
      return this.failed(policy, message, action, path, who);
    }

    const [allowed, row] = result;
    const ref = row.length >= 6 ? this.bindingRef(row) : undefined;
    const def = ref ? policy.bindingsByName.get(ref.name) : undefined;
    const condText = def?.condition ? `, when ${def.condition.text}` : '';

    if (allowed && ref && ref.effect === 'allow') {
      return {
        allowed: true,
        reason: 'allow',
        binding: ref,
        explanation:
          `${who} may ${action} on ${where}: allowed by binding '${ref.name}' ` +
          `(role ${ref.role} ${atScope(ref.scope)} for ${ref.subject}${condText}).`,
        policyVersion: policy.version,
      };
    }
    if (!allowed && ref && ref.effect === 'deny') {
      const missing = missingAttributes(def, input);
      const missingText = missing.length
        ? `; it applies because the request did not say ${missing.join(' or ')}, and a missing attribute never weakens a deny`
        : '';
      return {
        allowed: false,
        reason: 'explicit_deny',
        binding: ref,
        explanation:
          `${who} may not ${action} on ${where}: denied by binding '${ref.name}' ` +
          `(deny role ${ref.role} ${atScope(ref.scope)} for ${ref.subject}${condText}${missingText}); ` +
          `a deny overrides every allow.`,
        policyVersion: policy.version,
      };
    }
    if (allowed) {
      // Casbin allowed but did not report an allow row: refuse rather than guess.
      return this.failed(policy, 'allow without a matching allow row', action, path, who);
    }

    const wouldAllow = [...(policy.rolesByAction.get(action) ?? [])];
    const near = this.conditionalNearMisses(policy, entitlements, action, path, input);
    return {
      allowed: false,
      reason: 'no_match',
      wouldAllow,
      explanation:
        `${who} may not ${action} on ${where}: no binding grants it to ${entitlements.join(', ')}` +
        `${near}; roles that would: ${listOr(wouldAllow, 'none')}.`,
      policyVersion: policy.version,
    };
  }

  /**
   * The actions this subject could be allowed somewhere, with the scopes of the allow bindings that
   * could grant each. Conditions that could be satisfied count as satisfiable (the subject type is
   * known, so `subjectType` conditions are decided). A deny that certainly applies (no condition, or
   * only a matching `subjectType`) removes the scopes at or below it; at `*` it removes the action.
   */
  capabilities(subject: Subject): Capability[] {
    const policy = this.current;
    const input = normalizeAttributes(subject, undefined);
    const allows = new Map<string, Set<string>>();
    const denies = new Map<string, string[]>();
    for (const b of policy.bindingsFor(entitlementsOf(subject))) {
      const cond = b.condition ? b.condition.evaluate(input) : true;
      const role = policy.source.roles.get(b.role);
      if (!role) continue;
      if (b.effect === 'allow' && cond !== false) {
        for (const a of role.expanded) (allows.get(a) ?? allows.set(a, new Set()).get(a)!).add(b.path);
      } else if (b.effect === 'deny' && cond === true) {
        for (const a of role.expanded) (denies.get(a) ?? denies.set(a, []).get(a)!).push(b.path);
      }
    }
    const out: Capability[] = [];
    for (const action of ACTIONS) {
      const scopes = [...(allows.get(action) ?? [])].filter(
        (scope) => !(denies.get(action) ?? []).some((deny) => resourceMatch(scope, deny)),
      );
      if (scopes.length) out.push({ action, scopes: scopes.sort() });
    }
    return out;
  }

  /**
   * The bindings that name this subject (any of its entitlements), in policy order, leaving out
   * those whose condition can never hold for it (a `subjectType` of the other kind).
   */
  rolesOf(subject: Subject): RoleAssignment[] {
    const ents = entitlementsOf(subject);
    const input = normalizeAttributes(subject, undefined);
    const out: RoleAssignment[] = [];
    for (const b of this.current.bindingsFor(ents)) {
      const matched = ents.find((e) => b.subjects.includes(e));
      if (matched === undefined) continue;
      if (b.condition?.evaluate(input) === false) continue; // e.g. `subjectType: service` for a user
      const entry: RoleAssignment = { role: b.role, binding: b.name, scope: b.path, effect: b.effect, subject: matched };
      if (b.condition) entry.when = b.condition.text;
      out.push(entry);
    }
    return out;
  }

  /**
   * Escalation check for creating a role binding: allowed only if the granter holds
   * `rolebinding:create` at the scope AND every action the role holds (patterns expanded against
   * the catalogue) at that scope, unconditionally. The denial names the first missing action.
   */
  checkGrant(granter: Subject, role: string, scope: ResourceRef): Decision {
    const policy = this.current;
    const path = resourcePath(scope);
    const who = entitlementsOf(granter)[0]!;
    const target = `role '${role}' ${atScope(path)}`;
    const def = policy.source.roles.get(role);
    if (!def) {
      return {
        allowed: false,
        reason: 'no_match',
        wouldAllow: [],
        explanation: `${who} cannot grant ${target}: there is no such role (roles: ${[...policy.source.roles.keys()].join(', ')}).`,
        policyVersion: policy.version,
      };
    }
    const base = this.decide({ subject: granter, action: 'rolebinding:create', resource: scope });
    if (!base.allowed) {
      return { ...base, explanation: `${who} cannot grant ${target}: ${base.explanation}` };
    }
    for (const action of def.expanded) {
      const d = this.decide({ subject: granter, action, resource: scope });
      if (!d.allowed) {
        return {
          ...d,
          explanation:
            `${who} cannot grant ${target}: the role holds ${action}, which ${who} does not hold there ` +
            `(nobody may grant permissions they do not have). ${d.explanation}`,
        };
      }
    }
    return {
      ...base,
      explanation:
        `${who} may grant ${target}: allowed by binding '${base.binding?.name}' (rolebinding:create) and ` +
        `${who} holds all ${def.expanded.length} of the role's actions there.`,
    };
  }

  /** The roles in force (for listing tools). */
  roles(): RoleInfo[] {
    return [...this.current.source.roles.values()].map((r: RoleDef) => ({
      name: r.name,
      description: r.description,
      actions: [...r.actions],
      internal: r.internal,
    }));
  }

  /** The bindings in force (for listing tools). */
  bindings(): BindingInfo[] {
    return this.current.source.bindings.map((b) => {
      const info: BindingInfo = { name: b.name, role: b.role, subjects: [...b.subjects], scope: b.path, effect: b.effect };
      if (b.condition) info.when = b.condition.text;
      if (b.description !== undefined) info.description = b.description;
      return info;
    });
  }

  // ---------- reload ----------

  /**
   * Rebuilds the policy from a full snapshot of the directory, validates it, and swaps it in
   * atomically with a new version. On error the last good policy stays in force, the error is
   * reported (onReload, log, `lastError`) and the promise still resolves.
   */
  reload(): Promise<void> {
    return this.enqueue(true);
  }

  /** Stops watching. Decisions keep working on the policy in force. */
  close(): void {
    this.closed = true;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private enqueue(force: boolean): Promise<void> {
    const run = this.queue.then(() => this.rebuild(force));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rebuild(force: boolean): Promise<void> {
    try {
      const source = await readPolicyDir(this.policyDir);
      if (!force && source.hash === this.current.source.hash) {
        this.failure = undefined;
        return; // a watch event without a content change
      }
      const compiled = await buildPolicy(source, this.current.version + 1, this.options.actionMatching ?? 'expand');
      this.current = compiled; // the atomic swap
      this.failure = undefined;
      this.log('authz policy reloaded', {
        version: compiled.version,
        roles: source.roles.size,
        bindings: source.bindings.length,
        hash: source.hash.slice(0, 12),
      });
      this.options.onReload?.(compiled.version, undefined);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.failure = error;
      this.log('authz policy reload failed; keeping the last good policy', {
        version: this.current.version,
        error: error.message,
      });
      this.options.onReload?.(this.current.version, error);
    }
  }

  private startWatching(): void {
    const relevant = new Set([MODEL_FILE, ROLES_FILE, BINDINGS_FILE]);
    try {
      this.watcher = watch(this.policyDir, { persistent: false }, (_event, filename) => {
        // Kubernetes ConfigMap volumes swap a `..data` symlink instead of writing the files.
        const name = filename?.toString();
        if (name && !relevant.has(name) && !name.startsWith('..data')) return;
        if (this.closed) return;
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => {
          this.debounce = undefined;
          if (!this.closed) void this.enqueue(false);
        }, this.options.debounceMs ?? 150);
      });
      this.watcher.on('error', (err) => this.log('authz policy watcher error', { error: err.message }));
    } catch (err) {
      this.log('authz policy watcher could not start', { error: (err as Error).message });
    }
  }

  // ---------- helpers ----------

  private bindingRef(row: string[]): BindingRef {
    return {
      subject: row[0]!,
      scope: row[1]!,
      role: row[2]!,
      effect: row[3] === 'deny' ? 'deny' : 'allow',
      name: row[5]!,
    };
  }

  private failed(policy: CompiledPolicy, message: string, action: string, path: string, who = 'caller'): Decision {
    this.log('authz evaluation failed; denying', { action, path, error: message, version: policy.version });
    return {
      allowed: false,
      reason: 'explicit_deny',
      explanation: `${who} may not ${action} on ${describePath(path)}: the policy could not be evaluated (${message}), so access is denied.`,
      policyVersion: policy.version,
      error: message,
    };
  }

  /** Allow bindings that would have granted the action here, had their condition held. */
  private conditionalNearMisses(
    policy: CompiledPolicy,
    entitlements: readonly string[],
    action: string,
    path: string,
    input: ConditionInput,
  ): string {
    const notes: string[] = [];
    for (const b of policy.bindingsFor(entitlements)) {
      if (b.effect !== 'allow' || !b.condition) continue;
      if (!resourceMatch(path, b.path)) continue;
      if (!policy.source.roles.get(b.role)?.expanded.includes(action)) continue;
      const missing = missingAttributes(b, input);
      notes.push(
        `binding '${b.name}' would, but only when ${b.condition.text}` +
          (missing.length ? ` and the request did not say ${missing.join(' or ')}` : ''),
      );
      if (notes.length === 3) break;
    }
    return notes.length ? ` (${notes.join('; ')})` : '';
  }

  private log(msg: string, fields?: object): void {
    this.options.log?.(msg, fields);
  }
}
